package io.tenantgate.governor;

import io.tenantgate.registry.TenantRoute;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The only way feature code runs tenant SQL. Feature code never sees a pool.
 *
 * <p>Invariant: a connection is held only for the duration of {@code work}, and is given back on
 * every path (success, failure, cancellation) when the work's {@code Uni} terminates, after commit
 * or roll-back for transactions ({@link GovernedPool}). Budgets, fairness and queue limits apply
 * here, so adding them never touches callers.
 */
@ApplicationScoped
public class TenantSql {

    private final TenantPools pools;

    public TenantSql(TenantPools pools) {
        this.pools = pools;
    }

    /** Runs read work on one connection; several statements share it (fewer round trips to acquire). */
    public <T> Uni<T> withConnection(TenantRoute tenant, Function<SqlConnection, Uni<T>> work) {
        return governed(tenant, onFreshPool(() -> pools.governedFor(tenant).withConnection(work)));
    }

    /** Runs work in one transaction: committed if the work succeeds, rolled back otherwise. */
    public <T> Uni<T> withTransaction(TenantRoute tenant, Function<SqlConnection, Uni<T>> work) {
        return governed(tenant, onFreshPool(() -> pools.governedFor(tenant).withTransaction(work)));
    }

    /**
     * Takes the tenant's pool when the work is subscribed, not when the Uni is built, and once more
     * if that pool was retired in between (evicted, replaced, idle): the retry gets the new pool.
     */
    private static <T> Uni<T> onFreshPool(Supplier<Uni<T>> work) {
        return Uni.createFrom().<T>deferred(work::get)
                .onFailure(GovernedPool.PoolRetired.class).recoverWithUni(() -> Uni.createFrom().<T>deferred(work::get));
    }

    /** Names the pool's own refusals so callers get a 503 that says why. */
    private static <T> Uni<T> governed(TenantRoute tenant, Uni<T> work) {
        return work
                .onFailure(DatabaseErrors::isQueueFull).transform(e -> new GovernorRejection(
                        GovernorRejection.Reason.TENANT_QUEUE_FULL,
                        "too many requests are waiting for tenant " + tenant.key() + "; retry shortly"))
                .onFailure(DatabaseErrors::isAcquireTimeout).transform(e -> new GovernorRejection(
                        GovernorRejection.Reason.ACQUIRE_TIMEOUT,
                        "no connection of tenant " + tenant.key() + " became free in time; retry shortly"));
    }
}
