package io.tenantgate.governor;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * With {@code derive-from-server}, a server's budget is capped by its own {@code max_connections}
 * (100 on the test servers) minus the reserve (90 here), read on the first connection: 10, though
 * 1000 is configured.
 */
@QuarkusTest
@TestProfile(DerivedBudgetTest.DeriveFromServer.class)
class DerivedBudgetTest {

    public static class DeriveFromServer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tenantgate.budget.default-per-server", "1000",
                    "tenantgate.budget.derive-from-server", "true",
                    "tenantgate.budget.reserve", "90");
        }
    }

    @Inject
    ServerBudgets budgets;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BothKinds
    void theBudgetIsCappedByTheServersMaxConnectionsMinusTheReserve(DatabaseKind kind) throws Throwable {
        String key = FreshTenants.key("derive");
        TenantRoute route = FreshTenants.provision(kind, key);
        assertEquals("200", LoadClients.call(port, "/api/customers", TestTokens.forTenant(key)));
        long maxConnections = FreshTenants.server(kind).queryLong(kind == DatabaseKind.MYSQL
                ? "SELECT @@max_connections" : "SELECT setting::int FROM pg_settings WHERE name = 'max_connections'");
        assertEquals(maxConnections - 90, budgets.of(route.server()).limit());
    }
}
