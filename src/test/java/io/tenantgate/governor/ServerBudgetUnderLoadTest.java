package io.tenantgate.governor;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.testing.BudgetTen;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 1 under load: 60 tenants on one MariaDB and one PostgreSQL server, budget 10 each, 120
 * concurrent clients for 10 s, nine requests in ten for six hot tenants. The database enforces the
 * same limit on its side (all load tenants share one user with a server-side connection limit of
 * 10), so any overshoot would surface as a refused connection; a sampler also watches the server's
 * own view. Every database is healthy, so the overload is answered with overload's 503s only: no
 * breaker opens and nobody is told {@code tenant-unavailable}. Each server's refusal counters come
 * to exactly the answers the clients saw.
 */
@QuarkusTest
@TestProfile(BudgetTen.class)
class ServerBudgetUnderLoadTest {

    static final int BUDGET = BudgetTen.BUDGET;
    private static final int TENANTS_PER_SERVER = 30;
    private static final int CLIENTS = 120;
    private static final Duration LOAD = Duration.ofSeconds(10);

    @Inject
    ServerBudgets budgets;

    @Inject
    io.tenantgate.governor.resilience.TenantGuards guards;

    @Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void underOversubscribedHealthyLoadTheBudgetHoldsBreakersStayClosedAndRefusalsAreCountedAsAnswered()
            throws Throwable {
        Map<DatabaseKind, String> users = new EnumMap<>(DatabaseKind.class);
        List<String> tokens = new ArrayList<>();
        List<String> hot = new ArrayList<>();
        Map<String, DatabaseKind> kindOf = new ConcurrentHashMap<>();
        for (DatabaseKind kind : DatabaseKind.values()) {
            String user = "load-" + kind.name().toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 6);
            String password = UUID.randomUUID().toString();
            FreshTenants.server(kind).createUser(user, password, BUDGET);
            users.put(kind, user);
            for (int i = 0; i < TENANTS_PER_SERVER; i++) {
                String key = FreshTenants.key("load" + i);
                FreshTenants.provisionAs(kind, key, user, password, 4);
                String token = TestTokens.forTenant(key);
                tokens.add(token);
                kindOf.put(token, kind);
                if (i < 3) {
                    hot.add(token);
                }
            }
        }

        Map<DatabaseKind, AtomicInteger> maxSeen = new EnumMap<>(DatabaseKind.class);
        users.keySet().forEach(kind -> maxSeen.put(kind, new AtomicInteger()));
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (sampling.get()) {
                users.forEach((kind, user) -> maxSeen.get(kind).accumulateAndGet(
                        (int) serverConnections(kind, user), Math::max));
                sleep(20);
            }
        });

        Map<DatabaseKind, Map<String, Long>> refusedBefore = refusals();
        Map<String, Double> rejectionsBefore = rejectionMetrics();
        long openedBefore = guards.counters().breakersOpened();
        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        Map<DatabaseKind, Map<String, LongAdder>> outcomesByKind = new EnumMap<>(DatabaseKind.class);
        users.keySet().forEach(kind -> outcomesByKind.put(kind, new ConcurrentHashMap<>()));
        long deadline = System.nanoTime() + LOAD.toNanos();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                clients.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (System.nanoTime() < deadline) {
                        String token = random.nextInt(10) < 9 ? hot.get(random.nextInt(hot.size()))
                                : tokens.get(random.nextInt(tokens.size()));
                        String outcome = LoadClients.call(port, "/api/customers?size=5", token);
                        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
                        outcomesByKind.get(kindOf.get(token)).computeIfAbsent(outcome, k -> new LongAdder()).increment();
                    }
                });
            }
        }
        sampling.set(false);
        sampler.join();

        System.out.printf("budget load test: %d clients x %s over %d tenants, budget %d per server;"
                        + " max server connections seen %s; outcomes %s%n", CLIENTS, LOAD, tokens.size(), BUDGET,
                maxSeen, outcomes);
        maxSeen.forEach((kind, max) -> assertTrue(max.get() <= BUDGET,
                kind + " server saw " + max.get() + " connections, budget " + BUDGET));
        outcomes.keySet().forEach(outcome -> assertTrue(outcome.equals("200") || outcome.equals("503 tenant-queue-full")
                || outcome.equals("503 server-budget-exhausted") || outcome.equals("503 acquire-timeout"),
                "unexpected outcome " + outcome + " in " + outcomes));
        assertTrue(outcomes.getOrDefault("200", new LongAdder()).sum() > 0, "some requests are served");
        assertEquals(openedBefore, guards.counters().breakersOpened(), "no breaker opened on a healthy database");

        // Refusals are counted as answers given: per server, per type, and in tenantgate_rejections_total.
        Map<DatabaseKind, Map<String, Long>> refusedAfter = refusals();
        Map<String, Double> rejectionsAfter = rejectionMetrics();
        for (DatabaseKind kind : users.keySet()) {
            for (String type : List.of("server-budget-exhausted", "acquire-timeout", "tenant-queue-full",
                    "tenant-database-stalled")) {
                long answered = outcomesByKind.get(kind).getOrDefault("503 " + type, new LongAdder()).sum();
                long counted = refusedAfter.get(kind).getOrDefault(type, 0L) - refusedBefore.get(kind).getOrDefault(type, 0L);
                assertEquals(answered, counted, kind + " " + type + ": clients saw " + answered + ", server counted " + counted);
            }
        }
        for (String type : List.of("server-budget-exhausted", "acquire-timeout", "tenant-queue-full")) {
            long answered = outcomes.getOrDefault("503 " + type, new LongAdder()).sum();
            assertEquals(answered, rejectionsAfter.getOrDefault(type, 0.0) - rejectionsBefore.getOrDefault(type, 0.0),
                    0.0, "tenantgate_rejections_total{reason=" + type + "}");
        }

        // After the load nothing is in use, and idle connections close (Vert.x keeps no minimum idle).
        long quietBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (DatabaseKind kind : users.keySet()) {
            while (serverConnections(kind, users.get(kind)) > 0 && System.nanoTime() < quietBy) {
                sleep(200);
            }
            assertEquals(0, serverConnections(kind, users.get(kind)), kind + " connections after the idle timeout");
        }
        while (budgets.all().values().stream().anyMatch(b -> b.granted() > 0) && System.nanoTime() < quietBy) {
            sleep(100);
        }
        budgets.all().forEach((server, budget) -> assertEquals(0, budget.granted(), "permits still held on " + server));
    }

    /** Each load server's refusal counters, by problem type. */
    private Map<DatabaseKind, Map<String, Long>> refusals() {
        Map<DatabaseKind, Map<String, Long>> counts = new EnumMap<>(DatabaseKind.class);
        for (DatabaseKind kind : DatabaseKind.values()) {
            var server = FreshTenants.server(kind);
            ServerBudget budget = budgets.all().get(server.host() + ":" + server.port());
            counts.put(kind, budget == null ? Map.of() : budget.refusals());
        }
        return counts;
    }

    private Map<String, Double> rejectionMetrics() {
        Map<String, Double> counts = new java.util.HashMap<>();
        meters.find("tenantgate.rejections").counters().forEach(c -> counts.merge(c.getId().getTag("reason"), c.count(),
                Double::sum));
        return counts;
    }

    static long serverConnections(DatabaseKind kind, String user) {
        return FreshTenants.server(kind).connectionsOf(user);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
