package io.tenantgate.platform.observability;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * One application for the observability tests: statements and leases count as slow after one
 * second, and the OpenTelemetry SDK is on (it is off by default and in the other tests).
 */
public class LogsAndTracingOn implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("tenantgate.observability.slow-statement", "1s",
                "tenantgate.observability.long-lease", "1s",
                "quarkus.otel.sdk.disabled", "false");
    }
}
