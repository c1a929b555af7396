package io.tenantgate.lifecycle;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.registry.DatabaseKind;
import io.tenantgate.registry.TenantStatus;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.TenantApi;
import jakarta.inject.Inject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Suspension takes effect on the next request and closes the tenant's pool. */
@QuarkusTest
@QuarkusTestResource(RealDatabases.class)
class TenantStatusTest {

    @Inject
    TenantProvisioner provisioner;

    @Inject
    TenantPools pools;

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void suspendedTenantGets403AndLosesItsPoolThenReactivationServesAgain(DatabaseKind kind) throws Throwable {
        String key = FreshTenants.key("status");
        FreshTenants.provision(provisioner, kind, key, null);
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
