package io.tenantgate.governor;

import io.tenantgate.registry.TenantRoute;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

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

    private record TenantPool(TenantRoute.PoolIdentity identity, Pool pool) {
    }

    public TenantPools(Vertx vertx, TenantPoolOptions options) {
        this.vertx = vertx;
        this.options = options;
    }

    /** The tenant's pool, created on first use. Never opens a connection itself. */
    public Pool poolFor(TenantRoute route) {
        TenantRoute.PoolIdentity identity = route.identity();
        TenantPool current = pools.get(route.key());
        if (current != null && current.identity().equals(identity)) {
            return current.pool();
        }
        return pools.compute(route.key(), (key, existing) -> {
            if (existing != null && existing.identity().equals(identity)) {
                return existing;
            }
            if (existing != null) {
                LOG.infof("tenant %s changed connection details; replacing its pool", key);
                close(key, existing.pool());
            }
            return new TenantPool(identity, build(route));
        }).pool();
    }

    private Pool build(TenantRoute route) {
        io.vertx.sqlclient.Pool pool = switch (route.kind()) {
            case POSTGRESQL -> PgBuilder.pool()
                    .with(options.poolOptions(route))
                    .connectingTo(options.connectOptions(route))
                    .using(vertx)
                    .build();
            case MYSQL -> MySQLBuilder.pool()
                    .with(options.poolOptions(route))
                    .connectingTo(options.connectOptions(route))
                    .using(vertx)
                    .build();
        };
        created.computeIfAbsent(route.key(), k -> new AtomicLong()).incrementAndGet();
        LOG.infof("created pool for tenant %s on %s (max %d)", route.key(), route.server(), options.maxSize(route));
        return Pool.newInstance(pool);
    }

    /** Closes and forgets a tenant's pool, e.g. when it is suspended or removed. */
    public void evict(String tenantKey) {
        TenantPool removed = pools.remove(tenantKey);
        if (removed != null) {
            close(tenantKey, removed.pool());
        }
    }

    /** How many pools were ever created for a tenant: the observable of the one-pool invariant. */
    public long poolsCreated(String tenantKey) {
        AtomicLong count = created.get(tenantKey);
        return count == null ? 0 : count.get();
    }

    public boolean hasPool(String tenantKey) {
        return pools.containsKey(tenantKey);
    }

    private static void close(String tenantKey, Pool pool) {
        pool.close().subscribe().with(
                ignored -> LOG.debugf("closed pool of tenant %s", tenantKey),
                failure -> LOG.warnf("closing the pool of tenant %s failed: %s", tenantKey, failure.getMessage()));
    }

    @PreDestroy
    void closeAll() {
        for (Map.Entry<String, TenantPool> entry : pools.entrySet()) {
            close(entry.getKey(), entry.getValue().pool());
        }
        pools.clear();
    }
}
