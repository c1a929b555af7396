package io.tenantgate.governor;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.BudgetTen;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tenant pool unused for the pool-idle timeout (3 s in this profile) is closed and forgotten, so
 * tenants seen once do not keep connections or memory; the next request simply builds a new pool.
 */
@QuarkusTest
@TestProfile(BudgetTen.class)
class IdlePoolRetirementTest {

    @Inject
    TenantPools pools;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BothKinds
    void aPoolUnusedForThePoolIdleTimeoutIsClosedAndTheNextRequestBuildsANewOne(DatabaseKind kind) throws Throwable {
        String key = FreshTenants.key("idle");
        FreshTenants.provision(kind, key);
        String token = TestTokens.forTenant(key);
        assertEquals("200", LoadClients.call(port, "/api/customers", token));
        assertTrue(pools.hasPool(key));

        assertTrue(Await.until(() -> !pools.hasPool(key), 15), "the unused pool is retired");
        assertTrue(Await.until(() -> FreshTenants.server(kind).connectionsOf(key) == 0, 10), "its connections close");

        assertEquals("200", LoadClients.call(port, "/api/customers", token));
        assertEquals(2, pools.poolsCreated(key));
    }
}
