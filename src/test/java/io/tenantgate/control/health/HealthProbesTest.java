package io.tenantgate.control.health;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import io.tenantgate.control.lifecycle.NewTenant;
import io.tenantgate.control.lifecycle.TenantProvisioner;
import io.tenantgate.control.registry.TenantDirectory;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.demo.embedded.EmbeddedMariaDbServer;
import io.tenantgate.demo.embedded.EmbeddedPostgresServer;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.BudgetTen;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.Management;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.ServerProcesses;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Probe semantics a Kubernetes operator relies on, against real servers: liveness never depends on
 * a database, readiness survives a registry outage while cached routes serve, and readiness data
 * reports saturation levels from the connections actually held.
 */
@QuarkusTest
@TestProfile(BudgetTen.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthProbesTest {

    private static EmbeddedMariaDbServer mariadb;
    private static EmbeddedPostgresServer postgres;

    @Inject
    TenantProvisioner provisioner;

    @Inject
    TenantDirectory directory;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BeforeAll
    static void startOwnServers() {
        String run = UUID.randomUUID().toString();
        mariadb = new EmbeddedMariaDbServer(Path.of("target/chaos/health-mariadb-" + run), 100);
        postgres = new EmbeddedPostgresServer(Path.of("target/chaos/health-postgres-" + run), 100);
    }

    @AfterAll
    static void stopOwnServers() {
        for (EmbeddedServer server : new EmbeddedServer[] {mariadb, postgres}) {
            try {
                server.close();
            } catch (RuntimeException alreadyDead) {
                // the liveness test killed it
            }
        }
    }

    private static JsonPath ready(int expectedStatus) {
        return Management.given().when().get("/q/health/ready").then().statusCode(expectedStatus).extract().jsonPath();
    }

    private static Map<String, Object> readinessData(JsonPath body) {
        return body.getMap("checks.find { it.name == 'tenantgate' }.data");
    }

    private TenantRoute tenantOn(EmbeddedServer server, int maxPoolSize) throws Throwable {
        String key = FreshTenants.key("probe");
        String password = UUID.randomUUID().toString();
        server.createUser(key, password, 0);
        String database = key.replace('-', '_');
        server.createDatabase(database, key);
        return VertxContextSupport.subscribeAndAwait(() -> provisioner.provision(new NewTenant(key, key, server.kind(),
                server.host(), server.port(), database, key, password, null, TlsMode.DISABLED, maxPoolSize)));
    }

    @Test
    @Order(1)
    void readinessReportsWarnAndCriticalFromTheConnectionsHeld() throws Throwable {
        String server = "server " + mariadb.host() + ":" + mariadb.port() + " ";
        List<TenantRoute> tenants = List.of(tenantOn(mariadb, 4), tenantOn(mariadb, 4), tenantOn(mariadb, 2));
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> sleeping = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                String token = TestTokens.forTenant(tenants.get(t).key());
                for (int i = 0; i < 4; i++) {
                    sleeping.add(threads.submit(() -> LoadClients.call(port, "/test/sleep?ms=4000", token)));
                }
            }
            assertTrue(Await.until(() -> Integer.valueOf(8).equals(readinessData(ready(200)).get(server + "open")), 10),
                    "8 connections held");
            Map<String, Object> eight = readinessData(ready(200));
            System.out.println("readiness with 8 of 10 held: " + eight);
            assertEquals("WARN", eight.get(server + "level"));
            assertEquals(80, eight.get(server + "saturationPercent"));
            assertEquals(10, eight.get(server + "budget"));

            String third = TestTokens.forTenant(tenants.get(2).key());
            for (int i = 0; i < 2; i++) {
                sleeping.add(threads.submit(() -> LoadClients.call(port, "/test/sleep?ms=4000", third)));
            }
            assertTrue(Await.until(() -> Integer.valueOf(10).equals(readinessData(ready(200)).get(server + "open")), 10),
                    "10 connections held");
            Map<String, Object> ten = readinessData(ready(200));
            assertEquals("CRITICAL", ten.get(server + "level"));
            assertEquals("UP", ready(200).getString("status"),
                    "CRITICAL alone does not take the replica out (critical-saturation-not-ready is off)");
            for (Future<String> f : sleeping) {
                assertEquals("200", f.get(30, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    @Order(2)
    void readinessStaysUpOnCachedRoutesWhileTheRegistryIsDownAndIsDownWithNothingCached() throws Exception {
        assertEquals("200", LoadClients.call(port, "/api/customers", TestTokens.forTenant(DemoServers.ACME)));
        Path registry = RealDatabases.servers().registry().dataDirectory();
        ServerProcesses.freeze(registry);
        try {
            JsonPath degraded = ready(200);
            System.out.println("readiness while the registry is down: " + degraded.prettify());
            assertEquals("DEGRADED", readinessData(degraded).get("registry"));
            assertEquals("200", LoadClients.call(port, "/api/customers", TestTokens.forTenant(DemoServers.ACME)),
                    "known tenants are served");

            directory.invalidateAll();
            JsonPath down = ready(503);
            assertEquals("DOWN", readinessData(down).get("registry"));
            Management.given().when().get("/q/health/live").then().statusCode(200);
        } finally {
            ServerProcesses.thaw(registry);
        }
        assertTrue(Await.until(() -> Management.given().when().get("/q/health/ready").statusCode() == 200
                && "UP".equals(readinessData(ready(200)).get("registry")), 30), "ready again with the registry back");
    }

    @Test
    @Order(3)
    void livenessStaysUpWhileBothTenantServersAreDown() throws Throwable {
        TenantRoute onMariadb = tenantOn(mariadb, 2);
        TenantRoute onPostgres = tenantOn(postgres, 2);
        for (TenantRoute tenant : List.of(onMariadb, onPostgres)) {
            assertEquals("200", LoadClients.call(port, "/api/customers", TestTokens.forTenant(tenant.key())));
        }
        ServerProcesses.crash(mariadb.dataDirectory());
        ServerProcesses.crash(postgres.dataDirectory());
        for (TenantRoute tenant : List.of(onMariadb, onPostgres)) {
            assertTrue(LoadClients.call(port, "/api/customers", TestTokens.forTenant(tenant.key())).startsWith("503"));
        }
        Management.given().when().get("/q/health/live").then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("UP"));
        Management.given().when().get("/q/health/started").then().statusCode(200);
        Management.given().when().get("/q/health/ready").then().statusCode(200);
    }

    /**
     * Probes and metrics name tenants and database servers: they answer on the management port only.
     * The API port answers them as unknown paths, with a problem document.
     */
    @Test
    void probesAndMetricsAnswerOnTheManagementPortAndNotOnTheApiPort() {
        for (String path : List.of("/q/health", "/q/health/live", "/q/health/ready", "/q/health/started", "/q/metrics")) {
            Management.given().when().get(path).then().statusCode(org.hamcrest.Matchers.anyOf(
                    org.hamcrest.Matchers.is(200), org.hamcrest.Matchers.is(503)));
            given().when().get(path).then().statusCode(404);
        }
    }
}
