package io.tenantgate.control.migration;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tenantgate.control.registry.TenantDirectory;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.SteadyLoad;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The newest schema migration, taken away again from existing tenants, is run across the fleet while the service serves:
 * 20 tenants on both kinds, one of them unreachable; 19 are upgraded, 1 is reported failed, and
 * tenants behind are refused with a 503 until they are upgraded, never served by queries that
 * need the new schema.
 */
@QuarkusTest
class FleetUpgradeTest {

    private static final String OPERATOR = TestTokens.operator();

    @Inject
    TenantDirectory directory;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @ConfigProperty(name = "tenantgate.migration.concurrency-per-server")
    int perServer;

    @Test
    void twentyTenantsOneUnreachableNineteenUpgradedOneReportedAndServingThroughout() throws Throwable {
        List<TenantRoute> tenants = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            DatabaseKind kind = i % 2 == 0 ? DatabaseKind.MYSQL : DatabaseKind.POSTGRESQL;
            tenants.add(FreshTenants.provision(kind, FreshTenants.key("fleet")));
        }
        // Set every one back to the schema before the newest migration (V3), as if they predated it.
        for (TenantRoute t : tenants) {
            FreshTenants.server(t.kind()).executeIn(t.database(), "DROP TABLE report_request",
                    "DROP TABLE report_template", "DROP TABLE role_permission",
                    "ALTER TABLE customer DROP COLUMN version",
                    "DELETE FROM tenantgate_schema_history WHERE version = '3'");
        }
        String keys = tenants.stream().map(t -> "'" + t.key() + "'").collect(Collectors.joining(","));
        registry("UPDATE tenant SET schema_version = 2 WHERE tenant_key IN (" + keys + ")");
        TenantRoute unreachable = tenants.get(7);
        registry("UPDATE tenant SET port = 1 WHERE tenant_key = '" + unreachable.key() + "'");
        directory.invalidateAll();

        String behind = TestTokens.forTenant(tenants.get(0).key());
        assertEquals("503 tenant-schema-behind", LoadClients.call(port, "/api/customers", behind),
                "a tenant behind is not served with this build's queries");

        try (SteadyLoad load = new SteadyLoad(port)) {
            load.clients("acme", TestTokens.forTenant(DemoServers.ACME), "/api/customers", 2);
            load.clients("globex", TestTokens.forTenant(DemoServers.GLOBEX), "/api/customers", 2);
            long start = System.nanoTime();
            given().auth().oauth2(OPERATOR).when().post("/admin/migrations").then().statusCode(202);
            assertTrue(Await.until(() -> !progress().getBoolean("running"), 120), "the upgrade finished");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            Thread.sleep(300);
            load.close();

            JsonPath progress = progress();
            System.out.printf("fleet upgrade: %d upgraded, %d failed in %d ms, peak %d at once, %d on one server;"
                            + " healthy tenants %s%n", progress.getInt("upgraded"), progress.getInt("failed"), tookMillis,
                    progress.getInt("peakConcurrency"), progress.getInt("peakConcurrencyOnOneServer"),
                    SteadyLoad.tally(load.answers("acme")) + " " + SteadyLoad.tally(load.answers("globex")));
            assertEquals(19, progress.getInt("upgraded"));
            assertEquals(1, progress.getInt("failed"));
            assertEquals(unreachable.key(), progress.getString("notUpgraded[0].tenant"));
            assertEquals("FAILED", progress.getString("notUpgraded[0].state"));
            assertTrue(progress.getInt("peakConcurrencyOnOneServer") <= perServer, "bounded per server");
            for (String group : List.of("acme", "globex")) {
                Map<String, Long> tally = SteadyLoad.tally(load.answers(group));
                assertEquals(Map.of("200", tally.get("200")), tally, group + " was served throughout");
            }
        }
        for (TenantRoute t : tenants) {
            if (t.key().equals(unreachable.key())) {
                continue;
            }
            assertEquals(1, FreshTenants.server(t.kind()).queryLong(t.database(),
                    "SELECT COUNT(*) FROM tenantgate_schema_history WHERE version = '3' AND success"
                            + (t.kind() == DatabaseKind.MYSQL ? " = 1" : "")), t.key() + " has schema 3 again");
            assertTrue(Await.until(() -> "200".equals(LoadClients.call(port, "/api/customers",
                    TestTokens.forTenant(t.key()))), 15), t.key() + " is served again");
        }
        assertEquals("503 tenant-schema-behind", LoadClients.call(port, "/api/customers",
                TestTokens.forTenant(unreachable.key())), "the failed tenant stays refused");
    }

    private static JsonPath progress() {
        return given().auth().oauth2(OPERATOR).when().get("/admin/migrations").then().statusCode(200).extract()
                .jsonPath();
    }

    private static void registry(String sql) {
        RealDatabases.servers().registry().executeIn("tenantgate", sql);
    }
}
