package io.tenantgate.control.health;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** What the health probes check and report. */
@ConfigMapping(prefix = "tenantgate.health")
public interface HealthConfig {

    /** Longest the readiness probe waits for the registry before reporting it unreachable. */
    @WithDefault("1s")
    Duration registryTimeout();

    /** Budget use (open connections / budget) from which a server is reported {@code WARN}. */
    @WithDefault("0.80")
    double warnSaturation();

    /** Budget use from which a server is reported {@code CRITICAL}. */
    @WithDefault("0.95")
    double criticalSaturation();

    /**
     * Whether a server at {@code CRITICAL} turns readiness DOWN. Off by default: every replica
     * sees the same saturated server, so taking one out of service only pushes its traffic onto
     * the others, which then saturate too, and the outage cascades. Turn it on only when replicas
     * talk to different servers.
     */
    @WithDefault("false")
    boolean criticalSaturationNotReady();
}
