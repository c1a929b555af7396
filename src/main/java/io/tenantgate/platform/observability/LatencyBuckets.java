package io.tenantgate.platform.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;

/**
 * Every latency timer (tenantgate's own and the HTTP server's) gets the same five buckets, the
 * service-level thresholds that matter here: 5 ms, 25 ms, 100 ms, 500 ms and 2 s. Nothing else:
 * no percentile histogram (about 70 buckets per series) and no percentiles computed in the server.
 * A timer is then six buckets ({@code +Inf} included), a count, a sum and a max per server, and
 * Prometheus computes quantiles from the buckets ({@code histogram_quantile}).
 */
@Singleton
public class LatencyBuckets {

    static final Duration[] SLO = {Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
            Duration.ofMillis(500), Duration.ofSeconds(2)};

    @Produces
    @Singleton
    MeterFilter sloBuckets() {
        double[] nanos = new double[SLO.length];
        for (int i = 0; i < SLO.length; i++) {
            nanos[i] = SLO[i].toNanos();
        }
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() != Meter.Type.TIMER || !(id.getName().startsWith("tenantgate.")
                        || id.getName().equals("http.server.requests"))) {
                    return config;
                }
                return DistributionStatisticConfig.builder().percentilesHistogram(false).percentiles()
                        .serviceLevelObjectives(nanos).build().merge(config);
            }
        };
    }
}
