package io.tenantgate.governor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tenantgate.observability.StatementLog;
import io.tenantgate.registry.DatabaseKind;
import io.tenantgate.registry.TenantRoute;
import io.tenantgate.resilience.TenantGuard;
import io.tenantgate.resilience.TenantGuards;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The connection governor: holds the one Vert.x pool of each tenant and keeps every database
 * server within its budget.
 *
 * <p>Invariants (each has a test named after it):
 * <ul>
 *   <li><b>At most one pool per tenant.</b> Pools are created under one short lock that re-checks
 *       the map first, so racing first requests create exactly one. Creating a Vert.x pool opens no
 *       connection, so nothing slow runs under the lock.</li>
 *   <li><b>Connections to a server never exceed this instance's share of its budget</b>
 *       ({@link ServerBudget}). Vert.x calls the pool's {@code connectingTo} supplier before each
 *       physical connect, and the supplier waits (bounded) for a permit. Vert.x has no hook for a
 *       pooled connection's close, so permits come back by reconciliation ({@link PoolAccount}).</li>
 *   <li><b>Fair shares</b> of a contended budget ({@link ServerBudget}, {@link GovernedPool}).</li>
 *   <li><b>Bounded pools.</b> At most {@code max-live-pools} pools are live; creating one more
 *       retires the least recently used. A pool unused for {@code pool-idle-timeout} is retired.</li>
 *   <li><b>Retiring drains.</b> A retired pool (evicted, replaced because the tenant's connection
 *       details or limits changed, suspended tenant, shutdown) leaves the map at once, so new work
 *       gets a new pool; the work it already admitted finishes (up to {@code drain-timeout}); then
 *       it is closed and its permits return.</li>
 * </ul>
 * Pools are built on Quarkus's managed {@link Vertx}; housekeeping runs on a Vert.x timer every
 * {@value PoolAccount#RECONCILE_MILLIS} ms and never blocks.
 */
@ApplicationScoped
public class TenantPools {

    private static final Logger LOG = Logger.getLogger(TenantPools.class);
    private static final long DRAIN_POLL_MILLIS = 50;

    private final Vertx vertx;
    private final TenantPoolOptions options;
    private final ServerBudgets budgets;
    private final PoolConfig config;
    private final TenantGuards guards;
    private final MeterRegistry meters;
    private final StatementLog statements;
    private final long permitWaitMillis;
    private final ConcurrentMap<String, LivePool> pools = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicLong> created = new ConcurrentHashMap<>();
    private final Set<PoolAccount> accounts = ConcurrentHashMap.newKeySet();
    private final Set<LivePool> draining = ConcurrentHashMap.newKeySet();
    private final Object creationLock = new Object();
    private final long housekeepingTimer;
    private volatile boolean accepting = true;
    private long ticks;

    /** One tenant's live pool and what the stats report about it. */
    private static final class LivePool {
        final String tenant;
        final TenantRoute.PoolIdentity identity;
        final GovernedPool governed;
        final int maxSize;
        final Instant createdAt = Instant.now();
        final LongAdder uses = new LongAdder();
        volatile long lastUsedNanos = System.nanoTime();
        volatile long drainDeadlineNanos;

        LivePool(String tenant, TenantRoute.PoolIdentity identity, GovernedPool governed, int maxSize) {
            this.tenant = tenant;
            this.identity = identity;
            this.governed = governed;
            this.maxSize = maxSize;
        }

        PoolAccount account() {
            return governed.account();
        }

        void touch() {
            lastUsedNanos = System.nanoTime();
            uses.increment();
        }
    }

    public TenantPools(Vertx vertx, TenantPoolOptions options, ServerBudgets budgets, PoolConfig config,
                       TenantGuards guards, MeterRegistry meters, StatementLog statements) {
        this.meters = meters;
        this.statements = statements;
        this.vertx = vertx;
        this.guards = guards;
        this.options = options;
        this.budgets = budgets;
        this.config = config;
        // Give up on the budget a little before the pool's own acquire timeout fires, so the caller
        // learns the real reason (server budget) rather than a generic timeout.
        long acquire = config.acquireTimeout().toMillis();
        this.permitWaitMillis = Math.max(1, acquire - Math.min(100, acquire / 10));
        this.housekeepingTimer = vertx.setPeriodic(PoolAccount.RECONCILE_MILLIS, id -> housekeeping());
    }

    /** The tenant's pool, created on first use. Never opens a connection itself. */
    public Pool poolFor(TenantRoute route) {
        return governedFor(route).pool();
    }

    /** The tenant's pool with its budget account, for {@link TenantSql}. */
    GovernedPool governedFor(TenantRoute route) {
        if (!accepting) {
            throw new GovernorRejection(GovernorRejection.Reason.SHUTTING_DOWN, "this instance is shutting down");
        }
        TenantRoute.PoolIdentity identity = route.identity();
        LivePool current = pools.get(route.key());
        if (current == null || !current.identity.equals(identity)) {
            current = create(route, identity);
        }
        current.touch();
        return current.governed;
    }

    /**
     * The slow path, taken once per pool: one lock serialises creations so that a tenant gets one
     * pool however many first requests race, and so the live-pool cap is never overshot. Nothing
     * under the lock does I/O (building a Vert.x pool connects nothing), so it is held for
     * microseconds, even on an event loop.
     */
    private LivePool create(TenantRoute route, TenantRoute.PoolIdentity identity) {
        synchronized (creationLock) {
            if (!accepting) {
                throw new GovernorRejection(GovernorRejection.Reason.SHUTTING_DOWN, "this instance is shutting down");
            }
            LivePool existing = pools.get(route.key());
            if (existing != null && existing.identity.equals(identity)) {
                return existing;
            }
            if (existing != null) {
                LOG.infof("tenant %s changed connection details or limits; replacing its pool", route.key());
                pools.remove(route.key());
                retire(existing, "replaced");
            }
            while (!pools.isEmpty() && pools.size() >= Math.max(1, config.maxLivePools())) {
                evictLeastRecentlyUsed();
            }
            LivePool pool = build(route, identity);
            pools.put(route.key(), pool);
            return pool;
        }
    }

    private void evictLeastRecentlyUsed() {
        pools.values().stream()
                .min(Comparator.comparingLong(pool -> pool.lastUsedNanos))
                .ifPresent(lru -> {
                    if (pools.remove(lru.tenant, lru)) {
                        retire(lru, "least recently used, live-pool cap " + config.maxLivePools());
                    }
                });
    }

    private LivePool build(TenantRoute route, TenantRoute.PoolIdentity identity) {
        ServerBudget budget = budgets.use(route.server());
        PoolAccount account = new PoolAccount(route.key(), budget, budgets.graceTicks());
        SqlConnectOptions connectOptions = options.connectOptions(route);
        // Called by Vert.x before every physical connect: the connect waits for a budget permit.
        Supplier<Future<SqlConnectOptions>> governed = () -> {
            account.permitRequested();
            // A reap's own connect (see GovernedPool#reapIdle) must not queue for the permit it is
            // trying to free.
            long wait = account.isReapConnect() ? 0 : permitWaitMillis;
            return budget.acquire(route.key(), wait).transform(permit -> {
                if (permit.failed()) {
                    account.permitRefused();
                    return Future.failedFuture(permit.cause());
                }
                if (account.isClosing()) {
                    // The pool closed while this connect waited: Vert.x would throw "Client is
                    // closed" from a callback and the waiting request would never complete.
                    account.permitRefused();
                    budget.release(route.key(), 1);
                    return Future.failedFuture(new GovernorRejection(GovernorRejection.Reason.SHUTTING_DOWN,
                            "the pool of tenant " + route.key() + " closed; retry"));
                }
                account.permitGranted();
                budget.connecting();
                return Future.succeededFuture(connectOptions);
            });
        };
        io.vertx.sqlclient.Pool pool = switch (route.kind()) {
            case POSTGRESQL -> PgBuilder.pool()
                    .with(options.poolOptions(route))
                    .connectingTo(governed)
                    .withConnectHandler(connection -> firstConnection(budget, route, connection))
                    .using(vertx)
                    .build();
            case MYSQL -> MySQLBuilder.pool()
                    .with(options.poolOptions(route))
                    .connectingTo(governed)
                    .withConnectHandler(connection -> firstConnection(budget, route, connection))
                    .using(vertx)
                    .build();
        };
        account.attach(pool);
        accounts.add(account);
        created.computeIfAbsent(route.key(), k -> new AtomicLong()).incrementAndGet();
        LOG.infof("created pool for tenant %s on %s (max %d, server share %d)", route.key(), route.server(),
                options.maxSize(route), budget.limit());
        return new LivePool(route.key(), identity,
                new GovernedPool(Pool.newInstance(pool), account, route.kind(), vertx, guards.newGuard(route.key()),
                        timings(route.server()), statements),
                options.maxSize(route));
    }

    /**
     * Vert.x hands every new connection here before pooling it; it must be closed (released to the
     * pool) on every path. MySQL-protocol connections get their statement timeout here. The first
     * connection to a server reads its {@code max_connections} when the budget is derived from it.
     */
    private void firstConnection(ServerBudget budget, TenantRoute route, io.vertx.sqlclient.SqlConnection connection) {
        // Without a handler Vert.x prints a protocol error's stack trace to stderr (see GovernedPool).
        connection.exceptionHandler(failure -> LOG.debugf("tenant %s connection failed during set-up: %s", route.key(),
                failure.toString()));
        Future<Void> setUp = Future.succeededFuture();
        if (route.kind() == DatabaseKind.MYSQL) {
            String setup = options.mysqlSessionSetup(MySqlStatements.isMariaDb(connection));
            if (setup != null) {
                // Prepared, never a text query: see MySqlStatements.
                setUp = connection.preparedQuery(setup).execute().<Void>mapEmpty().recover(failure -> {
                    LOG.warnf("could not set the statement timeout on %s: %s", route.server(), failure.getMessage());
                    return Future.succeededFuture();
                });
            }
        }
        setUp.onComplete(ignored -> deriveBudget(budget, route, connection));
    }

    private void deriveBudget(ServerBudget budget, TenantRoute route, io.vertx.sqlclient.SqlConnection connection) {
        if (!budgets.derivesFromServer() || budget.isDerived()) {
            connection.close();
            return;
        }
        String sql = switch (route.kind()) {
            case POSTGRESQL -> "SHOW max_connections";
            case MYSQL -> "SELECT @@max_connections";
        };
        connection.preparedQuery(sql).execute().onComplete(result -> {
            if (result.succeeded() && result.result().iterator().hasNext()) {
                Object value = result.result().iterator().next().getValue(0);
                try {
                    budgets.deriveFromServer(budget, Integer.parseInt(String.valueOf(value).trim()));
                } catch (NumberFormatException e) {
                    LOG.warnf("server %s reported max_connections '%s'; keeping the configured budget",
                            route.server(), value);
                }
            } else {
                LOG.warnf("could not read max_connections of %s; keeping the configured budget", route.server());
            }
            connection.close();
        });
    }

    /** Timers tagged by server only: a bounded set however many tenants come and go. */
    private GovernedPool.Timings timings(String server) {
        return new GovernedPool.Timings(
                Timer.builder("tenantgate.acquire.wait").description("Wait for a tenant connection")
                        .tag("server", server).publishPercentileHistogram().register(meters),
                Timer.builder("tenantgate.connection.lease").description("Time tenant work held a connection")
                        .tag("server", server).publishPercentileHistogram().register(meters),
                statements.statementTimer(server));
    }

    /**
     * Retires a tenant's pool, e.g. when it is suspended or removed: its admitted work finishes first.
     * Returns whether the tenant had a live pool.
     */
    public boolean evict(String tenantKey) {
        LivePool removed = pools.remove(tenantKey);
        if (removed != null) {
            retire(removed, "evicted");
            return true;
        }
        return false;
    }

    /** Retires every pool with no admitted work right now; returns the tenants whose pools were retired. */
    public List<String> evictIdle() {
        List<String> evicted = new ArrayList<>();
        for (LivePool pool : pools.values()) {
            if (pool.account().admittedWork() == 0 && pools.remove(pool.tenant, pool)) {
                retire(pool, "evicted as idle by an operator");
                evicted.add(pool.tenant);
            }
        }
        return evicted;
    }

    /** Starts draining a pool that has already left the map; housekeeping closes it. */
    private void retire(LivePool pool, String why) {
        LOG.debugf("retiring the pool of tenant %s (%s)", pool.tenant, why);
        pool.drainDeadlineNanos = System.nanoTime() + config.drainTimeout().toNanos();
        draining.add(pool);
    }

    private void housekeeping() {
        for (PoolAccount account : accounts) {
            if (account.reconcile()) {
                accounts.remove(account);
                budgets.unuse(account.budget());
            }
        }
        reapForWaiters();
        closeDrained();
        if (++ticks % 10 == 0) {
            retireIdlePools();
            budgets.forgetUnused();
        }
    }

    /**
     * Where tenants wait for a server's budget, reaps one idle connection from each tenant that has
     * one (an idle connection serves no one while others wait); busy connections of tenants above
     * their fair share are handed back by {@link GovernedPool} as their work ends.
     */
    private void reapForWaiters() {
        for (LivePool pool : pools.values()) {
            PoolAccount account = pool.account();
            if (account.budget().hasWaiters() && account.startReap()) {
                pool.governed.reapIdle();
            }
        }
    }

    private void closeDrained() {
        long now = System.nanoTime();
        for (LivePool pool : draining) {
            boolean drained = pool.account().tryBeginClose();
            if (drained || now > pool.drainDeadlineNanos) {
                if (!drained) {
                    LOG.warnf("pool of tenant %s still had %d requests after the drain timeout; closing it",
                            pool.tenant, pool.account().admittedWork());
                }
                draining.remove(pool);
                close(pool);
            }
        }
    }

    private void retireIdlePools() {
        long idleLimit = config.poolIdleTimeout().toNanos();
        long now = System.nanoTime();
        for (LivePool pool : pools.values()) {
            if (now - pool.lastUsedNanos > idleLimit && pool.account().admittedWork() == 0
                    && pools.remove(pool.tenant, pool)) {
                retire(pool, "unused for " + config.poolIdleTimeout());
            }
        }
    }

    private static void close(LivePool pool) {
        pool.account().closing();
        pool.governed.pool().close().subscribe().with(
                ignored -> {
                    pool.account().closed();
                    LOG.debugf("closed pool of tenant %s", pool.tenant);
                },
                failure -> {
                    pool.account().closed();
                    LOG.warnf("closing the pool of tenant %s failed: %s", pool.tenant, failure.getMessage());
                });
    }

    /** How many pools were ever created for a tenant: the observable of the one-pool invariant. */
    public long poolsCreated(String tenantKey) {
        AtomicLong count = created.get(tenantKey);
        return count == null ? 0 : count.get();
    }

    /** The circuit breaker of the tenant's live pool, if it has one. */
    public java.util.Optional<TenantGuard> guardOf(String tenantKey) {
        LivePool pool = pools.get(tenantKey);
        return pool == null ? java.util.Optional.empty() : java.util.Optional.of(pool.governed.guard());
    }

    /** Physical connects this instance started to a server ({@code host:port}): each one reached it. */
    public long connectAttempts(String server) {
        ServerBudget budget = budgets.all().get(server);
        return budget == null ? 0 : budget.connects();
    }

    public boolean hasPool(String tenantKey) {
        return pools.containsKey(tenantKey);
    }

    public int livePools() {
        return pools.size();
    }

    /** Pools retired but not yet closed, waiting for their admitted work. */
    public int drainingPools() {
        return draining.size();
    }

    /**
     * Stops admitting work (new requests get 503 {@code shutting-down}) and retires every pool.
     * Returns at once; {@link #drained()} tells when admitted work has finished.
     */
    public void beginShutdown() {
        accepting = false;
        for (String tenant : List.copyOf(pools.keySet())) {
            evict(tenant);
        }
    }

    /** False once shutdown began: readiness turns DOWN so traffic moves to other replicas. */
    public boolean isAccepting() {
        return accepting;
    }

    /** Whether no retired pool is still waiting for its work. */
    public boolean drained() {
        return draining.isEmpty();
    }

    /** A consistent-enough view of every live pool and server budget, for health, metrics and admin. */
    public GovernorStats snapshot() {
        List<GovernorStats.TenantStats> tenants = new ArrayList<>();
        Map<String, int[]> inUseByServer = new ConcurrentHashMap<>();
        for (LivePool pool : pools.values()) {
            PoolAccount account = pool.account();
            int open = account.granted();
            int inUse = Math.min(open, account.inUse());
            int waiting = Math.max(0, account.admittedWork() - account.inUse());
            inUseByServer.computeIfAbsent(account.budget().server(), s -> new int[1])[0] += inUse;
            tenants.add(new GovernorStats.TenantStats(pool.tenant, account.budget().server(), open, inUse,
                    open - inUse, waiting, pool.maxSize, saturation(open, pool.maxSize), pool.createdAt,
                    Instant.now().minusNanos(System.nanoTime() - pool.lastUsedNanos), pool.uses.sum(),
                    pool.governed.guard().state().name()));
        }
        List<GovernorStats.ServerStats> servers = new ArrayList<>();
        budgets.all().forEach((server, budget) -> {
            int open = budget.granted();
            int inUse = Math.min(open, inUseByServer.getOrDefault(server, new int[1])[0]);
            servers.add(new GovernorStats.ServerStats(server, open, inUse, open - inUse, budget.waiting(),
                    budget.limit(), saturation(open, budget.limit()), budget.rejected()));
        });
        return new GovernorStats(servers, tenants);
    }

    private static double saturation(int open, int max) {
        return max <= 0 ? 1.0 : (double) open / max;
    }

    @PreDestroy
    void closeAll() {
        vertx.cancelTimer(housekeepingTimer);
        accepting = false;
        for (LivePool pool : pools.values()) {
            close(pool);
        }
        for (LivePool pool : draining) {
            close(pool);
        }
        pools.clear();
        draining.clear();
    }
}
