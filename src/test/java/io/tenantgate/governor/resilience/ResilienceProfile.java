package io.tenantgate.governor.resilience;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * Short deadlines and a small breaker window, so the resilience tests see breakers open and close
 * within seconds. Shared by those tests, so they run in one application.
 */
public class ResilienceProfile implements QuarkusTestProfile {

    public static final int DEADLINE_SECONDS = 3;
    static final int OPEN_DELAY_SECONDS = 5;
    static final int STATEMENT_TIMEOUT_MILLIS = 1500;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "tenantgate.resilience.request-deadline", DEADLINE_SECONDS + "s",
                "tenantgate.resilience.breaker.window", "10",
                "tenantgate.resilience.breaker.open-delay", OPEN_DELAY_SECONDS + "s",
                "tenantgate.resilience.breaker.success-threshold", "1",
                "tenantgate.pool.acquire-timeout", "1s",
                "tenantgate.pool.statement-timeout", STATEMENT_TIMEOUT_MILLIS + "ms",
                "tenantgate.pool.connect-timeout", "1s",
                "tenantgate.registry.route-ttl", "1s",
                "tenantgate.registry.lookup-timeout", "1s");
    }
}
