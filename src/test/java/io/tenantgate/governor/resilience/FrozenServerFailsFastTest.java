package io.tenantgate.governor.resilience;

import io.quarkus.test.junit.QuarkusTest;
import io.tenantgate.demo.embedded.EmbeddedMariaDbServer;
import io.tenantgate.demo.embedded.EmbeddedPostgresServer;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.GovernorStats;
import io.tenantgate.governor.ServerBudget;
import io.tenantgate.governor.ServerBudgets;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.CapturedLog;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.ServerProcesses;
import io.tenantgate.testing.SteadyLoad;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariants 4, 5 and 7: a database server freezes ({@code SIGSTOP} on every process): it still completes TCP connects
 * but answers nothing, the worst failure a pool can meet. With the production defaults (request
 * deadline 10 s, stall threshold 1 s, probe timeout 500 ms), the governor's stall detector finds
 * it: the requests it caught in flight are bounded by the clients, every request after is
 * answered {@code tenant-database-stalled} at once, no breaker opens (the stall is the server's,
 * not the tenants'), the other servers' tenants notice nothing, and after {@code SIGCONT} the
 * tenants are served again with nothing leaked. Both kinds.
 */
@QuarkusTest
class FrozenServerFailsFastTest {

    private static final int FROZEN_TENANTS = 10;
    private static final int CLIENTS_PER_TENANT = 2;
    /** The production default floor of the stall threshold. */
    private static final long STALL_THRESHOLD_MILLIS = 1000;
    /** The production default request deadline, and a little more: calls caught in flight end by then. */
    private static final long FROZEN_FOR_MILLIS = 12_000;

    private static final Map<DatabaseKind, EmbeddedServer> victims = new EnumMap<>(DatabaseKind.class);

    @Inject
    TenantPools pools;

    @Inject
    ServerBudgets budgets;

    @Inject
    TenantGuards guards;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private static synchronized EmbeddedServer victim(DatabaseKind kind) {
        return victims.computeIfAbsent(kind, k -> {
            Path dir = Path.of("target/chaos/frozen-" + k.name().toLowerCase() + "-" + UUID.randomUUID());
            return k == DatabaseKind.POSTGRESQL ? new EmbeddedPostgresServer(dir, 100) : new EmbeddedMariaDbServer(dir, 100);
        });
    }

    @AfterAll
    static void stopVictims() {
        victims.values().forEach(victim -> {
            ServerProcesses.thaw(victim.dataDirectory());
            victim.close();
        });
        victims.clear();
    }

    @BothKinds
    void aFrozenServersTenantsAreFailedFastWithinBoundsAndServedAgainAfterItThaws(DatabaseKind kind) throws Throwable {
        EmbeddedServer victim = victim(kind);
        String server = victim.host() + ":" + victim.port();
        List<TenantRoute> frozen = new ArrayList<>();
        for (int i = 0; i < FROZEN_TENANTS; i++) {
            frozen.add(FreshTenants.provisionOn(victim, FreshTenants.key("frozen")));
        }
        List<TenantRoute> healthy = new ArrayList<>();
        for (DatabaseKind other : DatabaseKind.values()) {
            healthy.add(FreshTenants.provision(other, FreshTenants.key("healthy")));
        }
        CapturedLog blocked = CapturedLog.of("io.vertx.core.impl.BlockedThreadChecker");
        long opened = guards.counters().breakersOpened();
        ServerBudget budget;
        long stalls;
        long stalledBefore;
        long freeze;
        long stalledAt;
        long thaw;
        long recovered;
        SteadyLoad load = new SteadyLoad(port);
        List<String> polls = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            for (TenantRoute tenant : frozen) {
                load.clients("frozen", TestTokens.forTenant(tenant.key()), "/api/customers", CLIENTS_PER_TENANT);
            }
            for (TenantRoute tenant : healthy) {
                load.clients("healthy", TestTokens.forTenant(tenant.key()), "/api/customers", CLIENTS_PER_TENANT);
            }
            Thread.sleep(2000);
            budget = budgets.all().get(server);
            stalls = budget.stalls();
            stalledBefore = budget.refusals().get("tenant-database-stalled");
            freeze = System.nanoTime();
            ServerProcesses.freeze(victim.dataDirectory());
            assertTrue(Await.until(() -> budget.health() == ServerBudget.Health.STALLED, 10),
                    "the frozen server is found stalled");
            stalledAt = System.nanoTime();
            // The operators' view says what it saw, in its own words.
            io.restassured.path.json.JsonPath servers = io.restassured.RestAssured.given().port(port)
                    .auth().oauth2(TestTokens.operator()).get("/admin/servers").then().statusCode(200).extract().jsonPath();
            String at = "find { it.server == '" + server + "' }";
            assertEquals("STALLED", servers.getString(at + ".health"));
            assertTrue(servers.getList(at + ".warnings", String.class).stream().anyMatch(w -> w.contains("stopped answering")),
                    "the advice names the stall: " + servers.getList(at + ".warnings"));
            Thread.sleep(Math.max(0, FROZEN_FOR_MILLIS - TimeUnit.NANOSECONDS.toMillis(stalledAt - freeze)));
            thaw = System.nanoTime();
            ServerProcesses.thaw(victim.dataDirectory());
            assertTrue(Await.until(() -> budget.health() == ServerBudget.Health.HEALTHY && frozen.stream().allMatch(t ->
                    "200".equals(polled(polls, LoadClients.call(port, "/api/customers", TestTokens.forTenant(t.key()))))),
                    30),
                    "the thawed server's tenants are served again");
            recovered = System.nanoTime();
            Thread.sleep(3000);
        } finally {
            load.close();
            blocked.close();
            ServerProcesses.thaw(victim.dataDirectory());
        }

        List<SteadyLoad.Answer> frozenAnswers = load.answers("frozen");
        List<SteadyLoad.Answer> caught = frozenAnswers.stream()
                .filter(a -> a.endNanos() > freeze && startOf(a) < stalledAt).toList();
        long caughtSlow = caught.stream().filter(a -> a.latencyNanos() > TimeUnit.MILLISECONDS.toNanos(STALL_THRESHOLD_MILLIS)).count();
        List<SteadyLoad.Answer> whileStalled = frozenAnswers.stream()
                .filter(a -> startOf(a) >= stalledAt && a.endNanos() < thaw).toList();
        long slowWhileStalled = whileStalled.stream().filter(a -> a.latencyNanos() > TimeUnit.MILLISECONDS.toNanos(100)).count();
        List<SteadyLoad.Answer> afterRecovery = frozenAnswers.stream().filter(a -> startOf(a) >= recovered).toList();
        Map<String, Long> healthyTally = SteadyLoad.tally(load.answers("healthy"));
        List<SteadyLoad.Answer> healthyBefore = load.answers("healthy", freeze - TimeUnit.SECONDS.toNanos(2), freeze);
        List<SteadyLoad.Answer> healthyStalled = load.answers("healthy", stalledAt, thaw);
        System.out.printf("frozen %s: found stalled %d ms after SIGSTOP; caught in flight %s (%d slower than %d ms);"
                        + " while stalled %s, p99 %.1f ms, %d slower than 100 ms; served again %d ms after SIGCONT;"
                        + " after that %s; healthy tenants %s, %.0f req/s before the freeze, %.0f while stalled%n", kind,
                TimeUnit.NANOSECONDS.toMillis(stalledAt - freeze), SteadyLoad.tally(caught), caughtSlow,
                STALL_THRESHOLD_MILLIS, SteadyLoad.tally(whileStalled), SteadyLoad.percentileMillis(whileStalled, 0.99),
                slowWhileStalled, TimeUnit.NANOSECONDS.toMillis(recovered - thaw), SteadyLoad.tally(afterRecovery),
                healthyTally, SteadyLoad.perSecond(healthyBefore, freeze - TimeUnit.SECONDS.toNanos(2), freeze),
                SteadyLoad.perSecond(healthyStalled, stalledAt, thaw));

        int clients = FROZEN_TENANTS * CLIENTS_PER_TENANT;
        assertTrue(caughtSlow <= clients, "at most one request per client waited out the stall threshold: " + caughtSlow);
        assertTrue(!whileStalled.isEmpty() && whileStalled.stream()
                        .allMatch(a -> a.outcome().equals("503 tenant-database-stalled")),
                "every request while stalled is answered tenant-database-stalled: " + SteadyLoad.tally(whileStalled));
        // Answered without waiting; a second of margin for a busy test machine still proves no wait.
        assertEquals(0, whileStalled.stream().filter(a -> a.latencyNanos() > TimeUnit.SECONDS.toNanos(1)).count(),
                "no request waited while the server was known stalled");
        assertEquals(stalls + 1, budget.stalls(), "one stall, found once");
        assertEquals(opened, guards.counters().breakersOpened(), "a stalled server opens no tenant's breaker");
        assertEquals(Map.of("200", healthyTally.get("200")), healthyTally, "the other servers' tenants saw no error");
        assertTrue(afterRecovery.stream().allMatch(a -> a.outcome().equals("200")),
                "once served again, always served: " + SteadyLoad.tally(afterRecovery));
        assertEquals(List.of(), blocked.lines(), "no event-loop thread was blocked");
        long stalledAnswers = frozenAnswers.stream().filter(a -> a.outcome().equals("503 tenant-database-stalled")).count();
        // The test's own polling after the thaw is answered by the same server, and counted by it too.
        long polledStalled = polls.stream().filter("503 tenant-database-stalled"::equals).count();
        assertEquals(stalledAnswers + polledStalled, budget.refusals().get("tenant-database-stalled") - stalledBefore,
                "the server counts the stalled answers it gave, no more, no less");

        // Nothing leaked: the server's count of the tenants' sessions comes to tenantgate's own.
        assertTrue(Await.until(() -> serverSessions(victim, frozen) == openBy(frozen), 20),
                () -> "server sessions " + serverSessions(victim, frozen) + ", tenantgate holds " + openBy(frozen));
    }

    @Test
    void aConnectToAFrozenServerGivesBackItsPermitAtTheConnectTimeout() throws Throwable {
        EmbeddedServer victim = victim(DatabaseKind.POSTGRESQL);
        String server = victim.host() + ":" + victim.port();
        TenantRoute tenant = FreshTenants.provisionOn(victim, FreshTenants.key("handshake"));
        assertEquals("200", LoadClients.call(port, "/api/customers", TestTokens.forTenant(tenant.key())));
        pools.evictIdle(); // every pool on the server goes: the next request connects anew, nothing is idle
        assertTrue(Await.until(() -> budgets.all().get(server) == null || budgets.all().get(server).granted() == 0, 10),
                "nothing held before the freeze");
        ServerProcesses.freeze(victim.dataDirectory());
        try {
            String outcome = LoadClients.call(port, "/api/customers", TestTokens.forTenant(tenant.key()));
            assertEquals("503 tenant-database-stalled", outcome, "the hung connect made the server suspect, the probe confirmed it");
            ServerBudget budget = budgets.all().get(server);
            assertTrue(budget.granted() > 0, "the connect (or its probe) still holds a permit");
            // connect-timeout 5 s, then the release grace: every permit comes back while still frozen.
            assertTrue(Await.until(() -> budget.granted() == 0, 15), () -> "permits still held: " + budget.granted());
        } finally {
            ServerProcesses.thaw(victim.dataDirectory());
        }
        // The handshakes left pending complete after the thaw and are closed at once.
        assertTrue(Await.until(() -> victim.connectionsOf(tenant.username()) == 0, 20),
                () -> "sessions left on the server: " + victim.connectionsOf(tenant.username()));
        assertTrue(Await.until(() -> "200".equals(LoadClients.call(port, "/api/customers",
                TestTokens.forTenant(tenant.key()))), 10), "served again after the thaw");
    }

    private static long startOf(SteadyLoad.Answer answer) {
        return answer.endNanos() - answer.latencyNanos();
    }

    private static long serverSessions(EmbeddedServer victim, List<TenantRoute> tenants) {
        return tenants.stream().mapToLong(t -> victim.connectionsOf(t.username())).sum();
    }

    private long openBy(List<TenantRoute> tenants) {
        List<String> keys = tenants.stream().map(TenantRoute::key).toList();
        return pools.snapshot().tenants().stream().filter(t -> keys.contains(t.tenant()))
                .mapToLong(GovernorStats.TenantStats::open).sum();
    }

    private static String polled(List<String> polls, String outcome) {
        polls.add(outcome);
        return outcome;
    }
}
