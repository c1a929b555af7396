package io.tenantgate.control.security;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.tenantgate.control.lifecycle.NewTenant;
import io.tenantgate.control.lifecycle.TenantProvisioner;
import io.tenantgate.control.migration.TenantMigrator;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TenantStatus;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.HostileMySqlRelay;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.SecretsLedger;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tenant's MySQL server (or anything on the path to it) cannot make tenantgate send one of its
 * files: a relay in front of a real MariaDB answers tenantgate's statements with LOCAL INFILE
 * requests for a canary file, on every kind of statement tenantgate sends (session set-up,
 * reads, transactions, writes, idempotency keys, reports, dashboard) and on the JDBC connections of
 * tenant migrations, and the canary's content never leaves. Tenantgate sends no text query on a
 * MySQL connection at all, and the service keeps serving everyone else.
 */
@QuarkusTest
class HostileMySqlPeerTest {

    private static final String CUSTOMER_LIST = "00000000-0000-4000-8000-000000000001";

    @Inject
    TenantProvisioner provisioner;

    @Inject
    TenantPools pools;

    @Inject
    TenantMigrator migrator;

    @Test
    void aMySqlPeerAskingForFilesOnEveryStatementAndMigrationNeverGetsOne() throws Throwable {
        String marker = "CANARY-" + UUID.randomUUID();
        Path canary = Files.createDirectories(Path.of("target/hostile")).resolve("canary-" + UUID.randomUUID() + ".txt");
        Files.writeString(canary, "tenantgate must never send this file: " + marker + "\n");
        EmbeddedServer mariadb = RealDatabases.servers().mariadb();
        try (HostileMySqlRelay relay = new HostileMySqlRelay(mariadb.host(), mariadb.port(), canary, marker)) {
            // Provisioned through the relay while it still behaves, so the tenant exists and is migrated.
            String key = FreshTenants.key("hostile");
            String password = SecretsLedger.record(UUID.randomUUID().toString());
            String database = key.replace('-', '_');
            mariadb.createDatabase(database, key, password);
            provision(key, relay.port(), database, password);
            // Everything after this point on the relay comes from tenantgate's Vert.x connections.
            long migrationQueries = relay.seen(HostileMySqlRelay.COM_QUERY);
            String token = TestTokens.forTenant(key);
            given().auth().oauth2(token).when().get("/api/customers").then().statusCode(200);

            relay.mode(HostileMySqlRelay.Mode.ONE_IN_THREE);
            for (int round = 0; round < 8; round++) {
                workload(token, round);
                // A fresh pool (and breaker) each round, so the hostile answers keep reaching the database
                // and every new connection's set-up is attacked too.
                pools.evict(key);
            }
            relay.mode(HostileMySqlRelay.Mode.ALWAYS);
            workload(token, 99);
            assertFalse(relay.leaked(), "the canary's content reached the relay: a tenant connection sent the file");
            assertEquals(migrationQueries, relay.seen(HostileMySqlRelay.COM_QUERY),
                    "tenantgate's Vert.x connections sent no text query at all: " + relay.attackedStatements());

            // A new tenant on it is refused: the live connection that proves it, made before any migration,
            // is answered with file requests.
            String second = FreshTenants.key("hostile-mig");
            String secondPassword = SecretsLedger.record(UUID.randomUUID().toString());
            String secondDatabase = second.replace('-', '_');
            mariadb.createDatabase(secondDatabase, second, secondPassword);
            assertThrows(Exception.class, () -> provision(second, relay.port(), secondDatabase, secondPassword),
                    "a tenant on a server that answers nothing but file requests is refused");
            // Tenant migrations speak JDBC (MariaDB Connector/J), with its own text queries, and run without
            // such a proof when a new build upgrades the stored tenants.
            long queriesBefore = relay.attacked(HostileMySqlRelay.COM_QUERY);
            TenantRoute secondRoute = new TenantRoute(second, "Hostile " + second, TenantStatus.ACTIVE, DatabaseKind.MYSQL,
                    "127.0.0.1", relay.port(), secondDatabase, second, secondPassword, TlsMode.DISABLED, null);
            assertThrows(Exception.class, () -> VertxContextSupport.subscribeAndAwait(() -> migrator.migrate(secondRoute)),
                    "a migration against a server that answers nothing but file requests fails");
            assertTrue(relay.attacked(HostileMySqlRelay.COM_QUERY) > queriesBefore,
                    "the migration's own text queries were answered with file requests: " + relay.attackedStatements());

            List<String> attacked = relay.attackedStatements();
            System.out.printf("hostile MySQL peer: %d commands answered with a file request (%d prepares, %d executes,"
                            + " %d migration text queries); canary sent: %s%n", attacked.size(),
                    relay.attacked(HostileMySqlRelay.COM_STMT_PREPARE), relay.attacked(HostileMySqlRelay.COM_STMT_EXECUTE),
                    relay.attacked(HostileMySqlRelay.COM_QUERY), relay.leaked());
            assertFalse(relay.leaked(), "the canary's content reached the relay: a migration connection sent the file");
            for (String statement : List.of("max_statement_time", "START TRANSACTION", "COMMIT", "INSERT INTO customer",
                    "idempotency_key", "report_request", "FROM customer")) {
                assertTrue(attacked.stream().anyMatch(s -> s.contains(statement)),
                        "a statement containing '" + statement + "' was answered with a file request: " + attacked);
            }
        }
        // Everyone else was served throughout, and still is.
        given().auth().oauth2(TestTokens.forTenant(DemoServers.ACME)).when().get("/api/customers").then().statusCode(200);
        given().auth().oauth2(TestTokens.forTenant(DemoServers.GLOBEX)).when().get("/api/customers").then().statusCode(200);
    }

    /** Every kind of tenant work: reads, transactions, keyed writes, reports, dashboard. Answers may fail. */
    private static void workload(String token, int round) {
        String name = "hostile-" + round;
        given().auth().oauth2(token).when().get("/api/customers?q=a");
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("name", name, "email", name + "@hostile.example")).when().post("/api/customers");
        given().auth().oauth2(token).contentType(ContentType.JSON).header("Idempotency-Key", "key-" + round)
                .body(Map.of("name", name + "k", "email", name + "k@hostile.example")).when().post("/api/customers");
        String id = given().auth().oauth2(token).when().get("/api/customers?size=1").then().extract().path("items[0].id");
        if (id != null) {
            given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body(Map.of("name", name + "u", "email", name + "u@hostile.example")).when().put("/api/customers/" + id);
            given().auth().oauth2(token).when().delete("/api/customers/" + id);
        }
        given().auth().oauth2(token).when().get("/api/dashboard");
        given().auth().oauth2(token).when().get("/api/report-templates");
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("templateId", CUSTOMER_LIST, "title", name)).when().post("/api/reports");
        given().auth().oauth2(token).when().get("/api/reports");
        given().auth().oauth2(token).when().get("/api/permissions");
    }

    private void provision(String key, int port, String database, String password) throws Throwable {
        NewTenant tenant = new NewTenant(key, "Hostile " + key, io.tenantgate.governor.route.DatabaseKind.MYSQL, "127.0.0.1",
                port, database, key, password, null, TlsMode.DISABLED, null);
        VertxContextSupport.subscribeAndAwait(() -> provisioner.provision(tenant));
    }
}
