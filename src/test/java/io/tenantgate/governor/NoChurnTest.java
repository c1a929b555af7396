package io.tenantgate.governor;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.BudgetTen;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.SteadyLoad;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tenants whose demand fits their share keep their connections: five tenants with two clients each
 * on a budget of ten make no physical connect after warm-up, and no hand-over, while every request
 * is served. (The first governor killed its own busy connections to enforce shares and made about
 * one connect per request in this situation.)
 */
@QuarkusTest
@TestProfile(BudgetTen.class)
class NoChurnTest {

    private static final int TENANTS = 5;
    private static final int CLIENTS = 2;

    @Inject
    ServerBudgets budgets;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BothKinds
    void tenantsWhoseDemandFitsTheirShareMakeNoConnectAfterWarmUp(DatabaseKind kind) throws Throwable {
        List<TenantRoute> tenants = new ArrayList<>();
        for (int i = 0; i < TENANTS; i++) {
            tenants.add(FreshTenants.provision(kind, FreshTenants.key("fit" + i), 4));
        }
        ServerBudget server = budgets.of(tenants.getFirst().server());
        assertTrue(Await.until(() -> server.granted() == 0, 15), "earlier tests' idle connections are gone");
        try (SteadyLoad load = new SteadyLoad(port)) {
            for (TenantRoute tenant : tenants) {
                load.clients("fit", TestTokens.forTenant(tenant.key()), "/api/customers?size=5", CLIENTS);
            }
            Thread.sleep(2_000); // warm-up: each tenant opens what its two clients need
            long connects = server.connects();
            long moves = server.moves();
            long reconnects = server.reconnects();
            long before = load.answers("fit").size();
            Thread.sleep(3_000);
            long served = load.answers("fit").size() - before;
            load.close();
            Map<String, Long> tally = SteadyLoad.tally(load.answers("fit"));
            System.out.printf("no churn on %s: %d requests after warm-up, %d connects, %d moves, %d reconnects;"
                            + " outcomes %s%n", kind, served, server.connects() - connects, server.moves() - moves,
                    server.reconnects() - reconnects, tally);
            assertTrue(served > 100, "load ran: " + served);
            assertEquals(connects, server.connects(), "no physical connect after warm-up");
            assertEquals(moves, server.moves(), "no hand-over");
            assertEquals(reconnects, server.reconnects(), "no reconnect");
            assertEquals(Map.of("200", tally.get("200")), tally, "every request served");
        }
    }
}
