package io.tenantgate.control.metrics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The governor's Prometheus meters. */
@ConfigMapping(prefix = "tenantgate.metrics")
public interface MetricsConfig {

    /**
     * Tenants published by name: the busiest this many (by requests since the last refresh); the
     * rest are summed under {@code tenant="other"}, so 10,000 tenants make at most this many + 1
     * series per tenant meter.
     */
    @WithDefault("20")
    int topTenants();

    /** How often the per-server and per-tenant gauges are recomputed from the governor. */
    @WithDefault("5s")
    Duration refresh();
}
