package io.tenantgate.governor;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.demo.embedded.EmbeddedMariaDbServer;
import io.tenantgate.demo.embedded.EmbeddedPostgresServer;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.BudgetTen;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.ServerProcesses;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Invariant 3, on the worst path: permits are exact. A server killed ({@code kill -9}; on PostgreSQL its backends, after which the
 * postmaster restarts it) while connections are leased gives every
 * permit back once the governor has seen each connection close, and none twice (returned = connects
 * made, nothing held); restarted, the server gets its full budget again. The server is the test's own.
 */
@QuarkusTest
@TestProfile(BudgetTen.class)
class PermitExactnessTest {

    private static final int BUDGET = BudgetTen.BUDGET;

    @Inject
    ServerBudgets budgets;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BothKinds
    void everyPermitReturnsOnceWhenAKilledServersConnectionsCloseAndARestartedServerGetsItsBudget(DatabaseKind kind)
            throws Throwable {
        Path dir = Path.of("target/chaos/permits-" + kind.name().toLowerCase() + "-" + UUID.randomUUID());
        EmbeddedServer server = kind == DatabaseKind.MYSQL ? new EmbeddedMariaDbServer(dir, 100)
                : new EmbeddedPostgresServer(dir, 100);
        try {
            TenantRoute tenant = FreshTenants.provisionOn(server, FreshTenants.key("exact"));
            // Its own pool limit as large as the budget, so the budget is what binds.
            String token = TestTokens.forTenant(tenant.key());
            ServerBudget budget = budgets.of(tenant.server());
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<String>> sleepers = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    sleepers.add(threads.submit(() -> LoadClients.call(port, "/test/sleep?ms=5000", token)));
                }
                assertTrue(Await.until(() -> budget.view().inUse() == 4, 15), "four connections are leased");
                if (kind == DatabaseKind.MYSQL) {
                    ServerProcesses.crash(server.dataDirectory());
                } else {
                    // Every backend killed: the postmaster ends the rest and restarts the server itself.
                    ServerProcesses.crashChildren(server.dataDirectory());
                }
                for (Future<String> sleeper : sleepers) {
                    String outcome = sleeper.get(30, TimeUnit.SECONDS);
                    assertTrue(outcome.startsWith("503"), "a request on the killed server ends in a 503: " + outcome);
                }
            }
            assertTrue(Await.until(() -> budget.granted() == 0, 15), "every permit came back: " + budget.granted());
            assertEquals(budget.connects(), budget.permitsReturned(), "one permit returned per connect, none twice");

            if (server instanceof EmbeddedMariaDbServer mariadb) {
                mariadb.restart();
            }
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<String>> sleepers = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    sleepers.add(threads.submit(() -> LoadClients.call(port, "/test/sleep?ms=1000", token)));
                }
                for (Future<String> sleeper : sleepers) {
                    assertEquals("200", sleeper.get(60, TimeUnit.SECONDS), "the restarted server serves again");
                }
            }
            assertTrue(Await.until(() -> budget.granted() <= BUDGET && budget.view().inUse() == 0, 10));
        } finally {
            server.close();
        }
    }
}
