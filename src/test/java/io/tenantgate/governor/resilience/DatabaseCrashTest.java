package io.tenantgate.governor.resilience;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.tenantgate.demo.embedded.EmbeddedMariaDbServer;
import io.tenantgate.governor.GovernorStats;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.ServerProcesses;
import io.tenantgate.testing.SteadyLoad;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 5: a MariaDB server dies under load ({@code kill -9}) and comes back: only its tenants notice, their
 * breakers keep the service from hammering the dead server, and they recover on their own.
 * The crashed server is the test's own, so no other test loses its database.
 */
@QuarkusTest
@TestProfile(ResilienceProfile.class)
class DatabaseCrashTest {

    private static EmbeddedMariaDbServer victim;

    @Inject
    TenantPools pools;

    @Inject
    TenantGuards guards;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BeforeAll
    static void startVictim() {
        victim = new EmbeddedMariaDbServer(Path.of("target/chaos/crash-" + UUID.randomUUID()), 100);
    }

    @AfterAll
    static void stopVictim() {
        if (victim != null) {
            victim.close();
        }
    }

    @Test
    void aCrashedServerFailsOnlyItsTenantsFastAndTheyRecoverWhenItRestarts() throws Throwable {
        List<TenantRoute> doomed = new ArrayList<>();
        List<TenantRoute> healthy = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            doomed.add(FreshTenants.provisionOn(victim, FreshTenants.key("doomed")));
            healthy.add(FreshTenants.provision(DatabaseKind.POSTGRESQL, FreshTenants.key("healthy")));
        }
        String server = victim.host() + ":" + victim.port();

        try (SteadyLoad load = new SteadyLoad(port)) {
            for (int i = 0; i < 3; i++) {
                load.clients("doomed", TestTokens.forTenant(doomed.get(i).key()), "/api/customers", 2);
                load.clients("healthy", TestTokens.forTenant(healthy.get(i).key()), "/api/customers", 2);
            }
            long warm = System.nanoTime();
            Thread.sleep(3000);
            long crash = System.nanoTime();
            ServerProcesses.crash(victim.dataDirectory());

            // Every doomed tenant's breaker opens; while it is open nothing connects to the dead server.
            assertTrue(Await.until(() -> doomed.stream().allMatch(t -> state(t) == CircuitBreakerState.OPEN), 30),
                    "all breakers of the crashed server's tenants open");
            long allOpen = System.nanoTime();
            long opened = guards.counters().breakersOpened();
            long connects = pools.connectAttempts(server);
            Thread.sleep(1500);
            boolean stillOpen = doomed.stream().allMatch(t -> state(t) == CircuitBreakerState.OPEN)
                    && guards.counters().breakersOpened() == opened;
            assertTrue(stillOpen, "the breakers stayed open through the observation");
            assertEquals(connects, pools.connectAttempts(server),
                    "an open breaker lets no connection attempt reach the dead server");

            // The fast 503s, measured from a client of its own.
            String token = TestTokens.forTenant(doomed.getFirst().key());
            List<SteadyLoad.Answer> fast = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                String outcome = LoadClients.call(port, "/api/customers", token);
                long end = System.nanoTime();
                fast.add(new SteadyLoad.Answer("fast", outcome, end, end - start));
            }
            long restart = System.nanoTime();
            victim.restart();
            long restarted = System.nanoTime();
            assertTrue(Await.until(() -> doomed.stream().allMatch(t ->
                    "200".equals(LoadClients.call(port, "/api/customers", TestTokens.forTenant(t.key())))), 30),
                    "the tenants of the restarted server recover without restarting the service");
            long recovered = System.nanoTime();
            Thread.sleep(500);
            long end = System.nanoTime();
            load.close();

            Map<String, Long> healthyTally = SteadyLoad.tally(load.answers("healthy"));
            Map<String, Long> doomedTally = SteadyLoad.tally(load.answers("doomed"));
            System.out.printf("crash: healthy tenants %.0f req/s before, %.0f req/s during the outage; outcomes %s%n",
                    SteadyLoad.perSecond(load.answers("healthy", warm, crash), warm, crash),
                    SteadyLoad.perSecond(load.answers("healthy", crash, restart), crash, restart), healthyTally);
            System.out.printf("crash: breakers all open %.0f ms after kill -9; doomed outcomes %s%n",
                    (allOpen - crash) / 1e6, doomedTally);
            System.out.printf("crash: fast 503 p50 %.1f ms, max %.1f ms, outcomes %s%n",
                    SteadyLoad.percentileMillis(fast, 0.5), SteadyLoad.percentileMillis(fast, 1.0), SteadyLoad.tally(fast));
            System.out.printf("crash: server restart took %.0f ms; all tenants answered 200 %.0f ms after it was up%n",
                    (restarted - restart) / 1e6, (recovered - restarted) / 1e6);

            assertEquals(Map.of("200", healthyTally.get("200")), healthyTally, "PostgreSQL tenants saw no error");
            doomedTally.keySet().forEach(outcome -> assertTrue(outcome.equals("200") || outcome.startsWith("503 "),
                    "the crashed server's tenants get 200 or a typed 503, never anything else: " + doomedTally));
            assertTrue(doomedTally.getOrDefault("503 tenant-unavailable", 0L) > 0, "open breakers answered fast");
            fast.forEach(answer -> assertEquals("503 tenant-unavailable", answer.outcome(),
                    "while the breaker is open, calls fail fast"));
            assertTrue(load.answers("doomed", recovered, end).stream().allMatch(a -> a.outcome().equals("200"))
                    || load.answers("doomed", recovered, end).isEmpty(), "recovered tenants are served");
        }
        assertTrue(Await.until(() -> pools.snapshot().tenants().stream().mapToInt(GovernorStats.TenantStats::inUse).sum() == 0,
                10), "no connection is left in use");
    }

    private CircuitBreakerState state(TenantRoute tenant) {
        return pools.guardOf(tenant.key()).map(TenantGuard::state).orElse(CircuitBreakerState.CLOSED);
    }
}
