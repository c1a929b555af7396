package io.tenantgate.governor;

import io.tenantgate.registry.TenantRoute;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Holds the one Vert.x pool of each tenant.
 *
 * <p>Invariants:
 * <ul>
 *   <li><b>At most one pool per tenant.</b> Pools are created inside {@link ConcurrentMap#compute},
 *       which runs at most once at a time per key, so any number of racing first requests create
 *       exactly one. Creating a Vert.x pool opens no connection (connections open lazily on first
 *       use), so nothing slow or blocking runs inside the map's lock.</li>
 *   <li><b>A pool matches its tenant's registry entry.</b> When a tenant's connection identity
 *       (host, credentials, TLS, limits) changes, the next request replaces the pool and the old
 *       one is closed.</li>
 *   <li><b>Every physical connection holds a permit of its server's {@link ServerBudget}.</b> Vert.x
 *       calls the pool's {@code connectingTo} supplier before each physical connect; the supplier
 *       waits (bounded) for a permit. Vert.x has no hook for a pooled connection's close, so
 *       permits come back by reconciliation: see {@link PoolAccount}.</li>
 *   <li><b>Every pool is closed at shutdown.</b></li>
 * </ul>
 * Pools are built on Quarkus's managed {@link Vertx}, so their I/O runs on its event loops.
 */
@ApplicationScoped
public class TenantPools {

    private static final Logger LOG = Logger.getLogger(TenantPools.class);

    private final Vertx vertx;
    private final TenantPoolOptions options;
    private final ConcurrentMap<String, TenantPool> pools = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicLong> created = new ConcurrentHashMap<>();

    private record TenantPool(TenantRoute.PoolIdentity identity, GovernedPool governed) {
        Pool pool() {
            return governed.pool();
        }

        PoolAccount account() {
            return governed.account();
        }
    }

    private final ServerBudgets budgets;
    private final long permitWaitMillis;
    private final Set<PoolAccount> accounts = ConcurrentHashMap.newKeySet();
    private final long reconcileTimer;

    public TenantPools(Vertx vertx, TenantPoolOptions options, ServerBudgets budgets, PoolConfig config) {
        this.vertx = vertx;
        this.options = options;
        this.budgets = budgets;
        // Give up on the budget a little before the pool's own acquire timeout fires, so the caller
        // learns the real reason (server budget) rather than a generic timeout.
        long acquire = config.acquireTimeout().toMillis();
        this.permitWaitMillis = Math.max(1, acquire - Math.min(100, acquire / 10));
        this.reconcileTimer = vertx.setPeriodic(PoolAccount.RECONCILE_MILLIS, id -> reconcile());
    }

    /** The tenant's pool, created on first use. Never opens a connection itself. */
    public Pool poolFor(TenantRoute route) {
        return governedFor(route).pool();
    }

    /** The tenant's pool with its budget account, for {@link TenantSql}. */
    GovernedPool governedFor(TenantRoute route) {
        TenantRoute.PoolIdentity identity = route.identity();
        TenantPool current = pools.get(route.key());
        if (current != null && current.identity().equals(identity)) {
            return current.governed();
        }
        return pools.compute(route.key(), (key, existing) -> {
            if (existing != null && existing.identity().equals(identity)) {
                return existing;
            }
            if (existing != null) {
                LOG.infof("tenant %s changed connection details; replacing its pool", key);
                retire(key, existing);
            }
            return build(route, identity);
        }).governed();
    }

    private TenantPool build(TenantRoute route, TenantRoute.PoolIdentity identity) {
        ServerBudget budget = budgets.of(route.server());
        PoolAccount account = new PoolAccount(route.key(), budget);
        SqlConnectOptions connectOptions = options.connectOptions(route);
        // Called by Vert.x before every physical connect: the connect waits for a budget permit.
        Supplier<Future<SqlConnectOptions>> governed = () -> {
            account.permitRequested();
            return budget.acquire(route.key(), permitWaitMillis)
                    .onSuccess(granted -> account.permitGranted())
                    .onFailure(refused -> account.permitRefused())
                    .map(granted -> connectOptions);
        };
        io.vertx.sqlclient.Pool pool = switch (route.kind()) {
            case POSTGRESQL -> PgBuilder.pool()
                    .with(options.poolOptions(route))
                    .connectingTo(governed)
                    .using(vertx)
                    .build();
            case MYSQL -> MySQLBuilder.pool()
                    .with(options.poolOptions(route))
                    .connectingTo(governed)
                    .using(vertx)
                    .build();
        };
        account.attach(pool);
        accounts.add(account);
        created.computeIfAbsent(route.key(), k -> new AtomicLong()).incrementAndGet();
        LOG.infof("created pool for tenant %s on %s (max %d, server share %d)", route.key(), route.server(),
                options.maxSize(route), budget.limit());
        return new TenantPool(identity, new GovernedPool(Pool.newInstance(pool), account, route.kind(), vertx));
    }

    /**
     * Every {@value PoolAccount#RECONCILE_MILLIS} ms: gives back permits whose connections are gone,
     * then, where tenants wait for a server's budget, reaps one idle connection from each tenant that
     * has one (an idle connection serves no one while others wait); busy connections of tenants above
     * their fair share are handed back by {@link GovernedPool} as their work ends.
     */
    private void reconcile() {
        for (PoolAccount account : accounts) {
            if (account.reconcile()) {
                accounts.remove(account);
            }
        }
        for (TenantPool pool : pools.values()) {
            PoolAccount account = pool.account();
            if (account.budget().hasWaiters() && account.startReap()) {
                pool.governed().reapIdle();
            }
        }
    }

    /** Closes and forgets a tenant's pool, e.g. when it is suspended or removed. */
    public void evict(String tenantKey) {
        TenantPool removed = pools.remove(tenantKey);
        if (removed != null) {
            retire(tenantKey, removed);
        }
    }

    private static void retire(String tenantKey, TenantPool pool) {
        pool.pool().close().subscribe().with(
                ignored -> {
                    pool.account().closed();
                    LOG.debugf("closed pool of tenant %s", tenantKey);
                },
                failure -> {
                    pool.account().closed();
                    LOG.warnf("closing the pool of tenant %s failed: %s", tenantKey, failure.getMessage());
                });
    }

    /** How many pools were ever created for a tenant: the observable of the one-pool invariant. */
    public long poolsCreated(String tenantKey) {
        AtomicLong count = created.get(tenantKey);
        return count == null ? 0 : count.get();
    }

    public boolean hasPool(String tenantKey) {
        return pools.containsKey(tenantKey);
    }

    @PreDestroy
    void closeAll() {
        vertx.cancelTimer(reconcileTimer);
        for (Map.Entry<String, TenantPool> entry : pools.entrySet()) {
            retire(entry.getKey(), entry.getValue());
        }
        pools.clear();
    }
}
