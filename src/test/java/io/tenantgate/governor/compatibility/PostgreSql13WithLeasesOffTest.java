package io.tenantgate.governor.compatibility;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import java.util.Map;
import java.util.stream.Stream;

/**
 * PostgreSQL 13, refused while replica leases are on ({@link ServerVersionsTest}), is served when
 * they are off (one replica): no {@code idle_session_timeout} is sent, and the whole suite passes.
 */
@QuarkusTest
@TestProfile(PostgreSql13WithLeasesOffTest.LeasesOff.class)
class PostgreSql13WithLeasesOffTest extends ServerVersionsTest {

    /** The matrix's application with {@code tenantgate.budget.lease.enabled=false}. */
    public static class LeasesOff extends ServerMatrix {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new java.util.HashMap<>(super.getConfigOverrides());
            config.put("tenantgate.budget.lease.enabled", "false");
            return config;
        }
    }

    /** Hides the matrix's rows: only the release leases cannot serve. */
    static Stream<Target> targets() {
        return ServerVersionsTest.targets().filter(Target::tooOldForLeases);
    }
}
