package io.tenantgate.control.migration;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.PackagedReplica;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One fleet upgrade for the whole fleet: two packaged replicas started together, each with this
 * build and tenants behind it, run one upgrade between them, so the per-server bound holds on the
 * server itself, not per replica; when its runner is killed with SIGKILL, another replica takes
 * the claim over and finishes.
 *
 * <p>The migrations are made to wait on a lock the test holds on each tenant's {@code customer}
 * table, so the migrations in flight can be counted on the PostgreSQL server itself
 * ({@code pg_stat_activity}, sessions waiting on a lock in those databases) rather than taken from
 * the runner's own report.
 */
@QuarkusIntegrationTest
class FleetUpgradeAcrossReplicasIT {

    private static final String OPERATOR = TestTokens.operator();
    private static final int TENANTS = 6;
    private static final int PER_SERVER = 2;

    @Test
    void twoReplicasRunOneUpgradeWithTheBoundHeldFleetWideAndASurvivorFinishesIt() throws Exception {
        EmbeddedServer postgres = RealDatabases.servers().postgres();
        List<String> keys = new ArrayList<>();
        List<Connection> locks = new ArrayList<>();
        List<PackagedReplica> replicas = new ArrayList<>();
        try {
            for (int i = 0; i < TENANTS; i++) {
                keys.add(addTenant(postgres, "upgrade-" + (char) ('a' + i)));
            }
            String databases = keys.stream().map(k -> "'" + database(k) + "'").collect(Collectors.joining(","));
            // Back to the schema before the newest migration (V3), as if they predated this build.
            for (String key : keys) {
                postgres.executeIn(database(key), "DROP TABLE report_request", "DROP TABLE report_template",
                        "DROP TABLE role_permission", "ALTER TABLE customer DROP COLUMN version",
                        "DELETE FROM tenantgate_schema_history WHERE version = '3'");
                Connection lock = postgres.adminConnection(database(key));
                lock.setAutoCommit(false);
                try (Statement statement = lock.createStatement()) {
                    statement.execute("LOCK TABLE customer IN ACCESS EXCLUSIVE MODE");
                }
                locks.add(lock);
            }
            String inList = keys.stream().map(k -> "'" + k + "'").collect(Collectors.joining(","));
            RealDatabases.servers().registry().executeIn("tenantgate",
                    "UPDATE tenant SET schema_version = 2 WHERE tenant_key IN (" + inList + ")");

            // Two replicas of this build start together; each would upgrade the fleet at start.
            Map<String, String> settings = Map.of("tenantgate.migration.claim-timeout", "6s",
                    "tenantgate.migration.concurrency-per-server", Integer.toString(PER_SERVER));
            ExecutorService starter = Executors.newFixedThreadPool(2);
            CompletableFuture<PackagedReplica> b = CompletableFuture.supplyAsync(() -> start("upgrade-b", settings), starter);
            CompletableFuture<PackagedReplica> c = CompletableFuture.supplyAsync(() -> start("upgrade-c", settings), starter);
            replicas.add(b.join());
            replicas.add(c.join());
            starter.shutdown();

            String waiting = "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname IN ("
                    + databases + ")";
            assertTrue(Await.until(() -> postgres.queryLong(waiting) >= PER_SERVER, 60),
                    "the upgrade started: migrations wait on the test's locks");
            long peak = 0;
            for (int sample = 0; sample < 20; sample++) { // both replicas are up and each has tenants behind
                peak = Math.max(peak, postgres.queryLong(waiting));
                Thread.sleep(200);
            }
            System.out.printf("migrations in flight on the server, both replicas up: peak %d (bound %d per server)%n",
                    peak, PER_SERVER);
            assertEquals(PER_SERVER, peak, "one runner for the fleet: the per-server bound holds on the server");

            JsonPath fromB = progress(replicas.get(0));
            JsonPath fromC = progress(replicas.get(1));
            String runner = fromB.getString("runner");
            assertNotNull(runner);
            assertEquals(runner, fromC.getString("runner"), "both replicas name the same runner");
            assertTrue(fromB.getBoolean("running") && fromC.getBoolean("running"));
            assertTrue(List.of("upgrade-b", "upgrade-c").contains(runner), runner);
            PackagedReplica running = runner.equals("upgrade-b") ? replicas.get(0) : replicas.get(1);
            PackagedReplica survivor = replicas.get(0) == running ? replicas.get(1) : replicas.get(0);

            running.process().destroyForcibly(); // SIGKILL: no shutdown hook, no release
            running.process().waitFor();
            for (Connection lock : locks) { // the dead runner's sessions end as soon as they can run
                lock.commit();
            }
            assertTrue(Await.until(() -> {
                JsonPath now = progress(survivor);
                return !now.getBoolean("running") && !runner.equals(now.getString("runner"));
            }, 90), "another replica took the claim over and finished: " + progress(survivor).prettify());
            JsonPath done = progress(survivor);
            System.out.printf("after the runner %s was killed, %s finished the upgrade: %d upgraded, %d failed, peak %d"
                            + " on one server%n", runner, done.getString("runner"), done.getInt("upgraded"),
                    done.getInt("failed"), done.getInt("peakConcurrencyOnOneServer"));
            assertTrue(done.getInt("peakConcurrencyOnOneServer") <= PER_SERVER);
            for (String key : keys) {
                assertEquals(1, RealDatabases.servers().registry().queryLong("tenantgate",
                        "SELECT COUNT(*) FROM tenant WHERE tenant_key = '" + key + "' AND schema_version = 3"), key);
                assertEquals(1, postgres.queryLong(database(key), "SELECT COUNT(*) FROM tenantgate_schema_history"
                        + " WHERE version = '3' AND success"), key + " has schema 3");
            }
            JsonPath fromSuite = given().auth().oauth2(OPERATOR).get("/admin/migrations").then().statusCode(200)
                    .extract().jsonPath();
            assertEquals(done.getString("runner"), fromSuite.getString("runner"), "every replica answers the same");
            assertEquals(done.getInt("upgraded"), fromSuite.getInt("upgraded"));
        } finally {
            for (Connection lock : locks) {
                lock.close();
            }
            replicas.forEach(PackagedReplica::close);
            for (String key : keys) {
                given().auth().oauth2(OPERATOR).delete("/admin/tenants/{key}", key);
            }
        }
    }

    private static PackagedReplica start(String name, Map<String, String> settings) {
        Map<String, String> mine = new java.util.LinkedHashMap<>(settings);
        mine.put("tenantgate.budget.lease.replica-id", name);
        try {
            return PackagedReplica.start(name, mine);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonPath progress(PackagedReplica replica) {
        return JsonPath.from(replica.send(HttpRequest.newBuilder(replica.uri("/admin/migrations")), OPERATOR).body());
    }

    private static String database(String key) {
        return key.replace('-', '_');
    }

    private static String addTenant(EmbeddedServer server, String prefix) {
        String key = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        String password = UUID.randomUUID().toString().replace("-", "");
        server.createDatabase(database(key), database(key), password);
        given().auth().oauth2(OPERATOR).contentType(ContentType.JSON)
                .body(Map.of("key", key, "displayName", key, "kind", server.kind().name(), "host", server.host(),
                        "port", server.port(), "database", database(key), "username", database(key),
                        "password", password, "tlsMode", "DISABLED", "maxPoolSize", 2))
                .post("/admin/tenants").then().statusCode(201);
        return key;
    }
}
