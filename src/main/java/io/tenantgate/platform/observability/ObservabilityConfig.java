package io.tenantgate.platform.observability;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Thresholds of the slow-statement log and the long-lease detector. */
@ConfigMapping(prefix = "tenantgate.observability")
public interface ObservabilityConfig {

    /**
     * A tenant statement that takes longer is logged (WARN) with tenant, route, request id,
     * duration and its SQL text; the text has placeholders, never parameter values.
     */
    @WithDefault("1s")
    Duration slowStatement();

    /**
     * A connection held by one piece of work for longer is logged once (WARN) with tenant, route
     * and request id: the reactive counterpart of HikariCP's leak detection. Keep it below
     * {@code tenantgate.resilience.request-deadline}, which ends such work.
     */
    @WithDefault("5s")
    Duration longLease();

    /**
     * Count tenant statements per request id, for tests that prove a fixed number of round trips
     * (no N+1). Off in production; on in the test profile.
     */
    @WithDefault("false")
    boolean countStatements();
}
