package io.tenantgate.governor;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.lifecycle.TenantProvisioner;
import io.tenantgate.registry.DatabaseKind;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.RealDatabases;
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
 * concurrent clients for 10 s. The database enforces the same limit on its side (all load tenants
 * share one user with a server-side connection limit of 10), so any overshoot would surface as a
 * refused connection; a sampler also watches the server's own view.
 */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
@TestProfile(ServerBudgetUnderLoadTest.BudgetTen.class)
class ServerBudgetUnderLoadTest {

    static final int BUDGET = 10;
    private static final int TENANTS_PER_SERVER = 30;
    private static final int CLIENTS = 120;
    private static final Duration LOAD = Duration.ofSeconds(10);

    public static class BudgetTen implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tenantgate.budget.default-per-server", Integer.toString(BUDGET),
                    "tenantgate.pool.idle-timeout", "1s",
                    "tenantgate.pool.pool-idle-timeout", "3s",
                    "tenantgate.pool.acquire-timeout", "2s");
        }
    }

    @Inject
    TenantProvisioner provisioner;

    @Inject
    ServerBudgets budgets;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void serverConnectionsNeverExceedTheBudgetAndEveryRequestEnds2xxOr503() throws Throwable {
        Map<DatabaseKind, String> users = new EnumMap<>(DatabaseKind.class);
        List<String> tokens = new ArrayList<>();
        for (DatabaseKind kind : DatabaseKind.values()) {
            String user = "load-" + kind.name().toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 6);
            String password = UUID.randomUUID().toString();
            FreshTenants.server(kind).createUser(user, password, BUDGET);
            users.put(kind, user);
            for (int i = 0; i < TENANTS_PER_SERVER; i++) {
                String key = FreshTenants.key("load" + i);
                FreshTenants.provisionAs(provisioner, kind, key, user, password, 4);
                tokens.add(TestTokens.forTenant(key));
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

        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        long deadline = System.nanoTime() + LOAD.toNanos();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                clients.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        String token = tokens.get(ThreadLocalRandom.current().nextInt(tokens.size()));
                        String outcome = LoadClients.call(port, "/api/customers?size=5", token);
                        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
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
