package io.tenantgate.observability;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.lifecycle.TenantProvisioner;
import io.tenantgate.registry.DatabaseKind;
import io.tenantgate.registry.TenantRoute;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A forced slow statement is logged with tenant, route, request id, duration and its SQL text
 * without parameter values; the connection it holds is reported once as a long lease.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(SlowStatementAndLongLeaseLogTest.OneSecond.class)
class SlowStatementAndLongLeaseLogTest {

    public static class OneSecond implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tenantgate.observability.slow-statement", "1s",
                    "tenantgate.observability.long-lease", "1s");
        }
    }

    @Inject
    TenantProvisioner provisioner;

    private static final class Captured extends Handler {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord record) {
            String message = record.getParameters() == null || record.getParameters().length == 0
                    ? record.getMessage() : String.format(record.getMessage(), record.getParameters());
            lines.add(message);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aSlowStatementAndItsLongLeaseAreLoggedWithoutParameterValues(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(provisioner, kind, FreshTenants.key("slowlog"), null);
        Logger logger = Logger.getLogger(StatementLog.class.getName());
        Captured captured = new Captured();
        logger.addHandler(captured);
        String requestId = "req-" + kind + "-" + System.nanoTime();
        try {
            given().auth().oauth2(TestTokens.forTenant(tenant.key())).header("X-Request-Id", requestId)
                    .when().get("/test/sleep?ms=2000").then().statusCode(200).header("X-Request-Id", requestId);
        } finally {
            logger.removeHandler(captured);
        }
        List<String> slow = captured.lines.stream().filter(l -> l.startsWith("slow statement:")
                && l.contains("tenant=" + tenant.key())).toList();
        List<String> lease = captured.lines.stream().filter(l -> l.startsWith("long lease:")
                && l.contains("tenant=" + tenant.key())).toList();
        System.out.println("logged: " + slow + " " + lease);

        assertEquals(1, slow.size(), "one slow statement: " + captured.lines);
        String line = slow.getFirst();
        assertTrue(line.contains("route=GET SleepResource.sleep"), line);
        assertTrue(line.contains("requestId=" + requestId), line);
        String sql = line.substring(line.indexOf("sql=") + 4);
        assertEquals(kind == DatabaseKind.MYSQL ? "SELECT SLEEP(?)" : "SELECT pg_sleep($1)", sql,
                "the statement text has its placeholder, not the value 2.0");
        assertEquals(1, lease.size(), "the long lease is reported once: " + captured.lines);
        assertTrue(lease.getFirst().contains("requestId=" + requestId), lease.getFirst());
    }
}
