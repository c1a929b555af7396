package io.tenantgate.resilience;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.demo.embedded.EmbeddedPostgresServer;
import io.tenantgate.governor.GovernorStats;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.lifecycle.TenantProvisioner;
import io.tenantgate.registry.DatabaseKind;
import io.tenantgate.registry.TenantRoute;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.RealDatabases;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PostgreSQL server freezes ({@code SIGSTOP} on every process): it still accepts TCP connections
 * but never answers, the worst kind of failure for a pool. Its tenants get 503s by the deadline,
 * nobody else notices, no event loop blocks, and after {@code SIGCONT} nothing stays busy.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(ResilienceProfile.class)
class DatabaseHangTest {

    private static EmbeddedPostgresServer victim;

    @Inject
    TenantProvisioner provisioner;

    @Inject
    TenantPools pools;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BeforeAll
    static void startVictim() {
        victim = new EmbeddedPostgresServer(Path.of("target/chaos/hang-" + UUID.randomUUID()), 100);
    }

    @AfterAll
    static void stopVictim() {
        if (victim != null) {
            ServerProcesses.thaw(victim.dataDirectory());
            victim.close();
        }
    }

    /** Counts Vert.x's "Thread ... has been blocked" warnings. */
    private static final class BlockedThreadWarnings extends Handler {
        final AtomicInteger count = new AtomicInteger();

        @Override
        public void publish(LogRecord record) {
            count.incrementAndGet();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aFrozenServerEndsItsTenantsCallsBy503AtTheDeadlineAndLeavesNothingBusy() throws Throwable {
        List<TenantRoute> frozen = new ArrayList<>();
        List<TenantRoute> healthy = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            frozen.add(FreshTenants.provisionOn(provisioner, victim, FreshTenants.key("frozen")));
            healthy.add(FreshTenants.provision(provisioner, DatabaseKind.MYSQL, FreshTenants.key("healthy"), null));
        }
        Logger checker = Logger.getLogger("io.vertx.core.impl.BlockedThreadChecker");
        BlockedThreadWarnings warnings = new BlockedThreadWarnings();
        checker.addHandler(warnings);
        try (SteadyLoad load = new SteadyLoad(port)) {
            for (int i = 0; i < 2; i++) {
                load.clients("frozen", TestTokens.forTenant(frozen.get(i).key()), "/api/customers", 3);
                load.clients("healthy", TestTokens.forTenant(healthy.get(i).key()), "/api/customers", 2);
            }
            Thread.sleep(2000);
            long freeze = System.nanoTime();
            ServerProcesses.freeze(victim.dataDirectory());
            Thread.sleep(8000);
            long thaw = System.nanoTime();
            ServerProcesses.thaw(victim.dataDirectory());
            assertTrue(Await.until(() -> frozen.stream().allMatch(t ->
                    "200".equals(LoadClients.call(port, "/api/customers", TestTokens.forTenant(t.key())))), 30),
                    "the thawed server's tenants recover");
            long recovered = System.nanoTime();
            load.close();

            List<SteadyLoad.Answer> duringFreeze = load.answers("frozen", freeze, thaw);
            Map<String, Long> frozenTally = SteadyLoad.tally(duringFreeze);
            Map<String, Long> healthyTally = SteadyLoad.tally(load.answers("healthy"));
            double slowest = SteadyLoad.percentileMillis(duringFreeze, 1.0);
            System.out.printf("hang: frozen tenants' outcomes while frozen %s, p50 %.0f ms, slowest %.0f ms;"
                            + " healthy outcomes %s; recovered %.0f ms after SIGCONT%n", frozenTally,
                    SteadyLoad.percentileMillis(duringFreeze, 0.5), slowest, healthyTally, (recovered - thaw) / 1e6);

            assertEquals(Map.of("200", healthyTally.get("200")), healthyTally, "MariaDB tenants saw no error");
            assertTrue(frozenTally.keySet().stream().allMatch(o -> o.equals("200") || o.startsWith("503 ")),
                    "the frozen server's tenants get typed 503s: " + frozenTally);
            assertTrue(frozenTally.getOrDefault("503 tenant-deadline-exceeded", 0L) > 0,
                    "calls caught by the freeze end at the deadline: " + frozenTally);
            // Deadline 3 s; anything near the client's own 30 s timeout would mean a call was never cut off.
            assertTrue(slowest < (ResilienceProfile.DEADLINE_SECONDS + 7) * 1000.0,
                    "every call ended near its deadline; slowest " + slowest + " ms");
        } finally {
            checker.removeHandler(warnings);
        }
        assertEquals(0, warnings.count.get(), "no event-loop thread was blocked");
        assertTrue(Await.until(() -> pools.snapshot().tenants().stream().mapToInt(GovernorStats.TenantStats::inUse).sum() == 0,
                10), "no connection of ours stays in use");
        for (TenantRoute tenant : frozen) {
            String busy = "SELECT COUNT(*) FROM pg_stat_activity WHERE usename = '" + tenant.username()
                    + "' AND state = 'active'";
            assertTrue(Await.until(() -> victim.queryLong(busy) == 0, 15),
                    "no session of " + tenant.key() + " stays busy on the server");
        }
    }
}
