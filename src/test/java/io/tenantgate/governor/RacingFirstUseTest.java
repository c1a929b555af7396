package io.tenantgate.governor;

import io.quarkus.test.junit.QuarkusTest;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Invariant 2: at most one pool per tenant; concurrent first requests create exactly one. */
@QuarkusTest
class RacingFirstUseTest {

    private static final int REQUESTS = 50;
    private static final int MAX_POOL = 3;

    @Inject
    TenantPools pools;

    @BothKinds
    void threadsReleasedTogetherIntoPoolForGetOnePool(DatabaseKind kind) throws Throwable {
        String key = FreshTenants.key("barrier");
        var route = FreshTenants.provision(kind, key, MAX_POOL);
        int threads = 32;
        CyclicBarrier barrier = new CyclicBarrier(threads);
        Set<Object> seen = ConcurrentHashMap.newKeySet();
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                done.add(callers.submit(() -> {
                    barrier.await();
                    seen.add(pools.poolFor(route));
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        assertEquals(1, seen.size(), "every caller got the same pool");
        assertEquals(1, pools.poolsCreated(key));
    }

    @BothKinds
    void fiftyConcurrentFirstRequestsCreateExactlyOnePool(DatabaseKind kind) throws Throwable {
        String key = FreshTenants.key("race");
        FreshTenants.provision(kind, key, MAX_POOL);
        assertFalse(pools.hasPool(key), "provisioning must not leave a pool behind");
        String token = TestTokens.forTenant(key);

        ExecutorService callers = Executors.newFixedThreadPool(REQUESTS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> statuses = new ArrayList<>();
        int ok = 0;
        try {
            for (int i = 0; i < REQUESTS; i++) {
                statuses.add(callers.submit(() -> {
                    go.await();
                    return given().auth().oauth2(token).get("/api/customers").then().extract().statusCode();
                }));
            }
            go.countDown();
            for (Future<Integer> status : statuses) {
                int code = status.get(60, TimeUnit.SECONDS);
                // A request that cannot get a connection in time is refused early (503), never hung.
                assertTrue(code == 200 || code == 503, "unexpected status " + code);
                ok += code == 200 ? 1 : 0;
            }
            assertTrue(ok > 0, "some first requests must be served");
        } finally {
            callers.shutdownNow();
        }

        long serverConnections = FreshTenants.server(kind).connectionsOf(key);
        System.out.printf("racing first use on %s: %d requests, %d served, %d refused with 503, %d pool(s) created,"
                + " %d server connection(s) (pool max %d)%n", kind, REQUESTS, ok, REQUESTS - ok, pools.poolsCreated(key),
                serverConnections, MAX_POOL);
        assertEquals(1, pools.poolsCreated(key), "pools created for " + key);
        assertTrue(serverConnections >= 1 && serverConnections <= MAX_POOL,
                "server sees " + serverConnections + " connections from " + key + ", pool max is " + MAX_POOL);
    }

    /**
     * A request that read the tenant's route before a credentials change can reach the governor after
     * a request that read it afterwards has built the new pool. It must be served by that pool: were
     * it to build one from what it read, the old credentials would come back and the next request
     * would replace them again (two replacements for one change).
     */
    @BothKinds
    void aRouteReadBeforeAChangeNeverPutsTheOldPoolBack(DatabaseKind kind) throws Throwable {
        String key = FreshTenants.key("late");
        TenantRoute provisioned = FreshTenants.provision(kind, key, MAX_POOL);
        TenantRoute before = resolved(provisioned, provisioned.password(), 1);
        TenantRoute after = resolved(provisioned, provisioned.password() + "-rotated", 2);

        Object old = pools.poolFor(before);
        Object replaced = pools.poolFor(after);
        Object late = pools.poolFor(before);

        assertTrue(old != replaced, "the change replaced the pool");
        assertSame(replaced, late, "the late request got the new pool");
        assertEquals(2, pools.poolsCreated(key), "one pool, then one replacement, and no third");
        assertSame(replaced, pools.poolFor(resolved(provisioned, provisioned.password() + "-rotated", 3)),
                "a later read of the same details keeps it");
        pools.evict(key);
    }

    private static TenantRoute resolved(TenantRoute route, String password, long order) {
        return new TenantRoute(route.key(), route.displayName(), route.status(), route.kind(), route.host(), route.port(),
                route.database(), route.username(), password, route.tlsMode(), route.maxPoolSize(), route.schemaVersion(),
                order);
    }
}
