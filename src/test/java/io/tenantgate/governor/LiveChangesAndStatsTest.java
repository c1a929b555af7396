package io.tenantgate.governor;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.tenantgate.control.lifecycle.TenantProvisioner;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Limits changed in the registry take effect without a restart, and the stats show each pool. */
@QuarkusTest
class LiveChangesAndStatsTest {

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "tenantgate.budget.default-per-server")
    int defaultBudget;

    @Inject
    TenantProvisioner provisioner;

    @Inject
    TenantPools pools;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BothKinds
    void changedLimitsReplaceThePoolWhileItsInFlightWorkFinishes(DatabaseKind kind) throws Throwable {
        String key = FreshTenants.key("limits");
        TenantRoute route = FreshTenants.provision(kind, key, 2);
        String token = TestTokens.forTenant(key);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> inFlight = threads.submit(() -> LoadClients.call(port, "/test/sleep?ms=1500", token));
            assertTrue(Await.until(() -> Await.holdsConnection(pools, key), 10), "the sleep is running");
            VertxContextSupport.subscribeAndAwait(() -> provisioner.setMaxPoolSize(key, 5));
            assertEquals("200", LoadClients.call(port, "/api/customers", token));
            assertEquals(2, pools.poolsCreated(key), "a new pool with the new limit");
            var stats = pools.snapshot().tenants().stream().filter(t -> t.tenant().equals(key)).findFirst().orElseThrow();
            assertEquals(5, stats.max(), "the live pool has the new limit");
            assertEquals("200", inFlight.get(30, TimeUnit.SECONDS), "work on the replaced pool finishes");
        }

        GovernorStats snapshot = pools.snapshot();
        var tenant = snapshot.tenants().stream().filter(t -> t.tenant().equals(key)).findFirst().orElseThrow();
        assertEquals(route.server(), tenant.server());
        assertTrue(tenant.uses() >= 1 && tenant.open() >= 1 && tenant.open() <= tenant.max(), tenant.toString());
        assertEquals(tenant.open(), tenant.inUse() + tenant.idle());
        var server = snapshot.servers().stream().filter(s -> s.server().equals(route.server())).findFirst()
                .orElseThrow();
        assertEquals(defaultBudget, server.budget(), "default budget");
        assertTrue(server.open() >= tenant.open() && server.open() <= server.budget(), server.toString());
        assertEquals((double) server.open() / server.budget(), server.saturation(), 1e-9);
    }
}
