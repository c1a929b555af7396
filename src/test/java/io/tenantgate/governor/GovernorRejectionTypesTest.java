package io.tenantgate.governor;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.BudgetTen;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.TestTokens;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each bounded wait ends in its own 503 type (invariant 4): a full tenant queue, a tenant whose
 * connections stay busy past the acquire timeout, and a server whose budget stays in use.
 * Profile: budget 10 per server, acquire timeout 2 s, wait queue 32.
 */
@QuarkusTest
@TestProfile(BudgetTen.class)
class GovernorRejectionTypesTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private List<String> concurrently(int clients, String path, String token) throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> calls = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                calls.add(threads.submit(() -> LoadClients.call(port, path, token)));
            }
            List<String> outcomes = new ArrayList<>();
            for (Future<String> call : calls) {
                outcomes.add(call.get(60, TimeUnit.SECONDS));
            }
            return outcomes;
        }
    }

    @BothKinds
    void moreWaitersThanTheTenantQueueAllowsGetTenantQueueFull(DatabaseKind kind) throws Throwable {
        String key = FreshTenants.key("queue");
        FreshTenants.provision(kind, key, 1);
        List<String> outcomes = concurrently(40, "/test/sleep?ms=1500", TestTokens.forTenant(key));
        assertTrue(outcomes.contains("503 tenant-queue-full"), outcomes.toString());
        assertTrue(outcomes.stream().allMatch(o -> o.equals("200") || o.startsWith("503 ")), outcomes.toString());
    }

    @BothKinds
    void aTenantWhoseConnectionsStayBusyGetsAcquireTimeout(DatabaseKind kind) throws Throwable {
        String key = FreshTenants.key("busy");
        FreshTenants.provision(kind, key, 1);
        String token = TestTokens.forTenant(key);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> holder = threads.submit(() -> LoadClients.call(port, "/test/sleep?ms=3500", token));
            Thread.sleep(500);
            String waiter = LoadClients.call(port, "/api/customers", token);
            assertTrue(waiter.equals("503 acquire-timeout"), waiter);
            assertTrue(holder.get(30, TimeUnit.SECONDS).equals("200"));
        }
    }

    @BothKinds
    void aTenantThatCannotGetAServerPermitGetsServerBudgetExhausted(DatabaseKind kind) throws Throwable {
        String hog = FreshTenants.key("hog");
        String other = FreshTenants.key("other");
        FreshTenants.provision(kind, hog, BudgetTen.BUDGET);
        FreshTenants.provision(kind, other, 1);
        String hogToken = TestTokens.forTenant(hog);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> holders = new ArrayList<>();
            for (int i = 0; i < BudgetTen.BUDGET; i++) {
                holders.add(threads.submit(() -> LoadClients.call(port, "/test/sleep?ms=4000", hogToken)));
            }
            Thread.sleep(1000);
            String refused = LoadClients.call(port, "/api/customers", TestTokens.forTenant(other));
            assertTrue(refused.equals("503 server-budget-exhausted"), refused);
            for (Future<String> holder : holders) {
                assertTrue(holder.get(30, TimeUnit.SECONDS).equals("200"));
            }
        }
    }
}
