package io.tenantgate.governor;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.BudgetTen;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fairness, asserted with counters: one tenant floods requests that hold connections while nine
 * others make normal requests on the same server with a budget of 10. The nine get no 503 and each
 * is granted at least its fair share (10 / 10 = 1) of the budget.
 */
@QuarkusTest
@TestProfile(BudgetTen.class)
class FairShareTest {

    private static final int QUIET = 9;
    private static final int FLOOD_CLIENTS = 25;

    @Inject
    ServerBudgets budgets;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BothKinds
    void aFloodingTenantCannotStarveQuietTenantsOnTheSameServer(DatabaseKind kind) throws Throwable {
        String user = "fair-" + UUID.randomUUID().toString().substring(0, 6);
        String password = UUID.randomUUID().toString();
        FreshTenants.server(kind).createUser(user, password, BudgetTen.BUDGET);
        String flooder = FreshTenants.key("flood");
        var flooderRoute = FreshTenants.provisionAs(kind, flooder, user, password, 10);
        List<String> quiet = new ArrayList<>();
        for (int i = 0; i < QUIET; i++) {
            String key = FreshTenants.key("quiet" + i);
            FreshTenants.provisionAs(kind, key, user, password, 10);
            quiet.add(key);
        }
        ServerBudget budget = budgets.of(flooderRoute.server());

        AtomicBoolean flooding = new AtomicBoolean(true);
        Map<String, LongAdder> floodOutcomes = new ConcurrentHashMap<>();
        Map<String, LongAdder> quietOutcomes = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> maxHeld = new ConcurrentHashMap<>();
        quiet.forEach(key -> maxHeld.put(key, new AtomicInteger()));
        String flooderToken = TestTokens.forTenant(flooder);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < FLOOD_CLIENTS; i++) {
                threads.submit(() -> {
                    while (flooding.get()) {
                        floodOutcomes.computeIfAbsent(LoadClients.call(port, "/test/sleep?ms=300", flooderToken),
                                k -> new LongAdder()).increment();
                    }
                });
            }
            long saturatedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (budget.heldBy(flooder) < BudgetTen.BUDGET && System.nanoTime() < saturatedBy) {
                Thread.sleep(20);
            }
            int flooderPeak = budget.heldBy(flooder);

            long quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            List<java.util.concurrent.Future<?>> quietClients = new ArrayList<>();
            for (String key : quiet) {
                String token = TestTokens.forTenant(key);
                quietClients.add(threads.submit(() -> {
                    while (System.nanoTime() < quietUntil) {
                        quietOutcomes.computeIfAbsent(LoadClients.call(port, "/api/customers?size=1", token),
                                k -> new LongAdder()).increment();
                        maxHeld.get(key).accumulateAndGet(budget.heldBy(key), Math::max);
                    }
                }));
            }
            for (var client : quietClients) {
                client.get(60, TimeUnit.SECONDS);
            }
            flooding.set(false);
            System.out.printf("fair share on %s: flooder held %d of %d before the quiet tenants came;"
                            + " flooder outcomes %s; quiet outcomes %s; quiet max permits %s%n", kind, flooderPeak,
                    BudgetTen.BUDGET, floodOutcomes, quietOutcomes, maxHeld);
            assertEquals(BudgetTen.BUDGET, flooderPeak, "the flood alone may use the whole budget");
        }

        assertEquals(Map.of("200", quietOutcomes.get("200").sum()),
                Map.of("200", quietOutcomes.values().stream().mapToLong(LongAdder::sum).sum()),
                "quiet tenants got only 200s: " + quietOutcomes);
        maxHeld.forEach((key, held) -> assertTrue(held.get() >= 1, key + " never held its fair share of 1"));
        floodOutcomes.keySet().forEach(outcome -> assertTrue(outcome.equals("200") || outcome.startsWith("503 "),
                "flooder outcome " + outcome));
    }
}
