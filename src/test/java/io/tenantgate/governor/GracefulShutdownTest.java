package io.tenantgate.governor;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 3 at shutdown: shutdown admits no new tenant work, lets admitted work finish, then closes every pool. Runs in an
 * application of its own (a profile of its own), since it leaves that application stopping.
 */
@QuarkusTest
@TestProfile(GracefulShutdownTest.OwnApplication.class)
class GracefulShutdownTest {

    public static class OwnApplication implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tenantgate.pool.drain-timeout", "10s");
        }
    }

    @Inject
    TenantPools pools;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void shutdownRefusesNewWorkFinishesAdmittedWorkAndClosesEveryPool() throws Exception {
        String acme = TestTokens.forTenant(DemoServers.ACME);
        String globex = TestTokens.forTenant(DemoServers.GLOBEX);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> admitted = threads.submit(() -> LoadClients.call(port, "/test/sleep?ms=3000", acme));
            assertTrue(Await.until(() -> Await.holdsConnection(pools, DemoServers.ACME), 10), "the sleep is running");
            pools.beginShutdown();

            assertEquals("503 shutting-down", LoadClients.call(port, "/api/customers", globex));
            assertEquals(0, pools.livePools());
            assertTrue(pools.drainingPools() > 0, "the busy pool waits for its work");
            // Readiness turns DOWN first thing, so Kubernetes stops sending traffic during the drain.
            io.tenantgate.testing.Management.given().when().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'tenantgate' }.data.accepting", org.hamcrest.Matchers.equalTo(false));
            io.tenantgate.testing.Management.given().when().get("/q/health/live").then().statusCode(200);

            assertEquals("200", admitted.get(30, TimeUnit.SECONDS), "admitted work finishes");
        }
        long closedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!pools.drained() && System.nanoTime() < closedBy) {
            Thread.sleep(20);
        }
        assertTrue(pools.drained(), "every pool is closed once its work is done");
        long goneBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (RealDatabases.servers().mariadb().connectionsOf(DemoServers.ACME) > 0 && System.nanoTime() < goneBy) {
            Thread.sleep(50);
        }
        assertEquals(0, RealDatabases.servers().mariadb().connectionsOf(DemoServers.ACME), "acme's connections are closed");
    }
}
