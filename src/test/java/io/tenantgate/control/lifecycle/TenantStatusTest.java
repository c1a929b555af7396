package io.tenantgate.control.lifecycle;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantStatus;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.TenantApi;
import jakarta.inject.Inject;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Suspension takes effect on the next request and closes the tenant's pool. */
@QuarkusTest
class TenantStatusTest {

    @Inject
    TenantProvisioner provisioner;

    @Inject
    TenantPools pools;

    @BothKinds
    void suspendedTenantGets403AndLosesItsPoolThenReactivationServesAgain(DatabaseKind kind) throws Throwable {
        String key = FreshTenants.key("status");
        FreshTenants.provision(kind, key);
        TenantApi api = TenantApi.as(key);
        api.get("/api/customers").statusCode(200);
        assertTrue(pools.hasPool(key));

        VertxContextSupport.subscribeAndAwait(() -> provisioner.setStatus(key, TenantStatus.SUSPENDED));
        assertFalse(pools.hasPool(key), "suspension closes the pool");
        long closedBy = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (FreshTenants.server(kind).connectionsOf(key) > 0 && System.nanoTime() < closedBy) {
            Thread.sleep(50);
        }
        org.junit.jupiter.api.Assertions.assertEquals(0, FreshTenants.server(kind).connectionsOf(key),
                "a suspended tenant's server connections close");
        api.get("/api/customers").statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("urn:tenantgate:problem:tenant-suspended"));
        assertFalse(pools.hasPool(key), "a suspended tenant's request opens no pool");

        VertxContextSupport.subscribeAndAwait(() -> provisioner.setStatus(key, TenantStatus.ACTIVE));
        api.get("/api/customers").statusCode(200);
    }
}
