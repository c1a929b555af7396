package io.tenantgate.testing;

import io.tenantgate.governor.TenantPools;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Bounded polling for conditions that become true asynchronously. */
public final class Await {

    private Await() {
    }

    /** Waits up to {@code seconds} for the condition; returns whether it held. */
    public static boolean until(BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Whether the tenant's pool has a connection lent out right now. */
    public static boolean holdsConnection(TenantPools pools, String tenant) {
        return pools.snapshot().tenants().stream().anyMatch(t -> t.tenant().equals(tenant) && t.inUse() > 0);
    }
}
