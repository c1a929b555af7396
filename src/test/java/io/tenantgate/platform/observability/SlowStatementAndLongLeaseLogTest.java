package io.tenantgate.platform.observability;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.CapturedLog;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.TestTokens;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A forced slow statement is logged with tenant, route, request id, duration and its SQL text
 * without parameter values; the connection it holds is reported once as a long lease.
 */
@QuarkusTest
@TestProfile(LogsAndTracingOn.class)
class SlowStatementAndLongLeaseLogTest {

    @BothKinds
    void aSlowStatementAndItsLongLeaseAreLoggedWithoutParameterValues(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(kind, FreshTenants.key("slowlog"));
        String requestId = "req-" + kind + "-" + System.nanoTime();
        List<String> lines;
        try (CapturedLog captured = CapturedLog.of(StatementLog.class.getName())) {
            given().auth().oauth2(TestTokens.forTenant(tenant.key())).header("X-Request-Id", requestId)
                    .when().get("/test/sleep?ms=2000").then().statusCode(200).header("X-Request-Id", requestId);
            lines = captured.lines();
        }
        List<String> slow = lines.stream().filter(l -> l.startsWith("slow statement:")
                && l.contains("tenant=" + tenant.key())).toList();
        List<String> lease = lines.stream().filter(l -> l.startsWith("long lease:")
                && l.contains("tenant=" + tenant.key())).toList();
        System.out.println("logged: " + slow + " " + lease);

        assertEquals(1, slow.size(), "one slow statement: " + lines);
        String line = slow.getFirst();
        assertTrue(line.contains("route=GET SleepResource.sleep"), line);
        assertTrue(line.contains("requestId=" + requestId), line);
        String sql = line.substring(line.indexOf("sql=") + 4);
        assertEquals(kind == DatabaseKind.MYSQL ? "SELECT SLEEP(?)" : "SELECT pg_sleep($1)", sql,
                "the statement text has its placeholder, not the value 2.0");
        assertEquals(1, lease.size(), "the long lease is reported once: " + lines);
        assertTrue(lease.getFirst().contains("requestId=" + requestId), lease.getFirst());
    }
}
