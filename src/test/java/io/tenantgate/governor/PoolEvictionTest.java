package io.tenantgate.governor;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.testing.AbortedClients;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bounded pools: with a live-pool cap of 10 and 40 tenants visited, live pools never exceed 10,
 * the least recently used pool is the one evicted, and an evicted pool's in-flight requests finish.
 */
@QuarkusTest
@TestProfile(PoolEvictionTest.LivePoolCapTen.class)
class PoolEvictionTest {

    static final int CAP = 10;

    public static class LivePoolCapTen implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tenantgate.pool.max-live-pools", Integer.toString(CAP));
        }
    }

    @Inject
    TenantPools pools;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void livePoolsNeverExceedTheCapLeastRecentlyUsedGoesFirstAndInFlightWorkFinishes() throws Throwable {
        EmbeddedServer mariadb = RealDatabases.servers().mariadb();
        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String key = FreshTenants.key("lru" + i);
            FreshTenants.provision(i % 2 == 0 ? DatabaseKind.POSTGRESQL : DatabaseKind.MYSQL, key, 2);
            tenants.add(key);
        }

        long abortedBefore = AbortedClients.of(mariadb);

        // Fill the cap, then make the oldest one the most recently used.
        for (int i = 0; i < CAP; i++) {
            visit(tenants.get(i));
        }
        visit(tenants.get(0));
        visit(tenants.get(CAP));
        assertTrue(pools.hasPool(tenants.get(0)), "a recently used pool survives");
        assertFalse(pools.hasPool(tenants.get(1)), "the least recently used pool is evicted");

        // A long request on a pool that gets evicted while it runs still succeeds.
        String busy = tenants.get(CAP + 1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> inFlight = threads.submit(() ->
                    LoadClients.call(port, "/test/sleep?ms=2000", TestTokens.forTenant(busy)));
            assertTrue(Await.until(() -> Await.holdsConnection(pools, busy), 10), "the sleep is running");
            for (int i = CAP + 2; i < tenants.size(); i++) {
                visit(tenants.get(i));
            }
            assertFalse(pools.hasPool(busy), "the busy tenant's pool was evicted while in flight");
            assertEquals("200", inFlight.get(30, TimeUnit.SECONDS), "in-flight work on an evicted pool finishes");
        }

        for (int i = tenants.size() - CAP; i < tenants.size(); i++) {
            assertTrue(pools.hasPool(tenants.get(i)), "the last " + CAP + " visited are live");
        }
        long drainedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pools.drainingPools() > 0 && System.nanoTime() < drainedBy) {
            Thread.sleep(50);
        }
        assertEquals(0, pools.drainingPools(), "evicted pools are closed once drained");
        assertEquals(abortedBefore, AbortedClients.of(mariadb), "evicted MariaDB pools quit their connections cleanly");
    }

    private void visit(String tenant) {
        assertEquals("200", LoadClients.call(port, "/api/customers?size=1", TestTokens.forTenant(tenant)));
        assertTrue(pools.livePools() <= CAP, "live pools " + pools.livePools() + " exceed the cap " + CAP);
    }
}
