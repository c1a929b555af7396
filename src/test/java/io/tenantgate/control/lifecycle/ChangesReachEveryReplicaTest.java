package io.tenantgate.control.lifecycle;

import io.quarkus.test.junit.QuarkusTest;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.CapturedLog;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A change made to the registry by someone else (another replica, or an operator's SQL) reaches
 * this replica: the change log written by the registry's trigger is polled, cached routes are
 * dropped, and a suspended or removed tenant's pool is retired here too.
 */
@QuarkusTest
class ChangesReachEveryReplicaTest {

    @Inject
    TenantPools pools;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    /** Changes the registry behind this replica's back, as another replica would. */
    private static long elsewhere(String sql) {
        return RealDatabases.servers().registry().queryLong("tenantgate",
                "WITH changed AS (" + sql + " RETURNING 1) SELECT COUNT(*) FROM changed");
    }

    @BothKinds
    void aSuspensionOrRemovalMadeElsewhereClosesThePoolHere(DatabaseKind kind) throws Throwable {
        // Warnings of the route cache: with the registry up, a background refresh must never fail.
        List<String> warnings;
        try (CapturedLog directoryLog = CapturedLog.of(io.tenantgate.control.registry.TenantDirectory.class.getName(),
                java.util.logging.Level.WARNING)) {
            changesMadeElsewhereAreSeen(kind);
            // Past the route TTL (5 s), routes were refreshed in the background: none may have failed.
            Thread.sleep(6000);
            assertEquals("200", LoadClients.call(port, "/api/customers", TestTokens.forTenant("acme")));
            Thread.sleep(500);
            warnings = directoryLog.lines();
        }
        assertTrue(warnings.isEmpty(), "no registry warning while the registry is up: " + warnings);
    }

    private void changesMadeElsewhereAreSeen(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(kind, FreshTenants.key("far"));
        String token = TestTokens.forTenant(tenant.key());
        assertEquals("200", LoadClients.call(port, "/api/customers", token));
        assertTrue(pools.hasPool(tenant.key()));

        long start = System.nanoTime();
        assertEquals(1, elsewhere("UPDATE tenant SET status = 'SUSPENDED' WHERE tenant_key = '" + tenant.key() + "'"));
        assertTrue(Await.until(() -> !pools.hasPool(tenant.key()), 15), "the pool here was retired");
        long seenMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("403", LoadClients.call(port, "/api/customers", token), "its users are refused here");

        assertEquals(1, elsewhere("UPDATE tenant SET status = 'ACTIVE' WHERE tenant_key = '" + tenant.key() + "'"));
        assertTrue(Await.until(() -> "200".equals(LoadClients.call(port, "/api/customers", token)), 15),
                "re-activation is seen too");

        assertEquals(1, elsewhere("DELETE FROM tenant WHERE tenant_key = '" + tenant.key() + "'"));
        assertTrue(Await.until(() -> !pools.hasPool(tenant.key()), 15), "the removed tenant's pool was retired");
        assertEquals("404", LoadClients.call(port, "/api/customers", token));
        assertFalse(pools.hasPool(tenant.key()));
        System.out.printf("change made elsewhere seen here after %d ms (%s)%n", seenMillis, kind);
    }
}
