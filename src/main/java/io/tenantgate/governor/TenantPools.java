package io.tenantgate.governor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tenantgate.governor.resilience.TenantGuard;
import io.tenantgate.governor.resilience.TenantGuards;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.platform.failure.GovernorRejection;
import io.tenantgate.platform.observability.StatementLog;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlConnection;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connection governor: the tenant pools ({@link TenantPool}) and, through
 * {@link ServerBudgets}, the servers that schedule their connections.
 *
 * <p>Invariants (each has a test named after it):
 * <ul>
 *   <li><b>At most one pool per tenant.</b> Pools are created under one short lock that re-checks
 *       the map first, so racing first requests create exactly one. Creating a pool opens no
 *       connection, so nothing slow runs under the lock.</li>
 *   <li><b>Connections to a server never exceed this instance's share of its budget</b>, and are
 *       shared by active demand ({@link ServerBudget}).</li>
 *   <li><b>Bounded pools.</b> At most {@code max-live-pools} pools are live; creating one more
 *       retires the least recently used. A pool unused for {@code pool-idle-timeout} is retired.</li>
 *   <li><b>Retiring drains.</b> A retired pool (evicted, replaced because the tenant's connection
 *       details or limits changed, suspended tenant, shutdown) leaves the map at once, so new work
 *       gets a new pool; the work it already has finishes (up to {@code drain-timeout}); then its
 *       connections close and their permits return.</li>
 *   <li><b>Replaced forward only.</b> A pool is replaced by a route with other connection details
 *       only if that route was read after the one the pool was built from; a request still holding
 *       the route it read before a change is served by the newer pool (one replacement per change,
 *       never the old credentials back).</li>
 * </ul>
 * Housekeeping is one timer a second for the whole governor: drain deadlines, unused pools, and
 * each server's idle connections, oldest first, stopping at the first young one.
 */
@ApplicationScoped
public class TenantPools {

    private static final Logger LOG = Logger.getLogger(TenantPools.class);
    private static final long HOUSEKEEPING_MILLIS = 1_000;
    /** How often servers are checked for a stall: a fraction of the stall threshold's floor. */
    private static final long HEALTH_CHECK_MILLIS = 250;

    private final Vertx vertx;
    private final TenantPoolOptions options;
    private final ServerBudgets budgets;
    private final PoolConfig config;
    private final TenantGuards guards;
    private final MeterRegistry meters;
    private final StatementLog statements;
    private final ConcurrentMap<String, TenantPool> pools = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicLong> created = new ConcurrentHashMap<>();
    private final Set<TenantPool> draining = ConcurrentHashMap.newKeySet();
    private final Object creationLock = new Object();
    private final long housekeepingTimer;
    private final long healthTimer;
    private volatile boolean accepting = true;

    public TenantPools(Vertx vertx, TenantPoolOptions options, ServerBudgets budgets, PoolConfig config,
                       TenantGuards guards, MeterRegistry meters, StatementLog statements) {
        this.meters = meters;
        this.statements = statements;
        this.vertx = vertx;
        this.guards = guards;
        this.options = options;
        this.budgets = budgets;
        this.config = config;
        this.housekeepingTimer = vertx.setPeriodic(HOUSEKEEPING_MILLIS, id -> housekeeping());
        // Requests that find no idle connection check too; this catches a stall with no new requests.
        // The same sweep reports leases held past long-lease, once each: no timer per lease.
        // Idle expiry and a lease cap that fell with time are applied here too: with leases on, a
        // tenant's server drops our idle connections a second after the governor's idle cap.
        this.healthTimer = vertx.setPeriodic(HEALTH_CHECK_MILLIS, id -> budgets.all().values().forEach(budget -> {
            budget.checkHealth();
            budget.sweep(System.nanoTime());
            budget.enforceCap();
            for (ServerBudget.LongLease held : budget.longLeases(statements.longLeaseNanos(), System.nanoTime())) {
                statements.longLease(held.caller(), held.heldNanos());
            }
        }));
    }

    /** The tenant's pool, created on first use, as an opaque handle (tests compare them). Never connects. */
    public Object poolFor(TenantRoute route) {
        return governedFor(route);
    }

    /** The tenant's pool, for {@link TenantSql}. */
    TenantPool governedFor(TenantRoute route) {
        if (!accepting) {
            throw new GovernorRejection(GovernorRejection.Reason.SHUTTING_DOWN, "this instance is shutting down");
        }
        TenantPool current = pools.get(route.key());
        if (current != null && current.verifiedRoute == route) {
            return current; // the route object last found to match, as cached by the directory: no digest
        }
        TenantRoute.PoolIdentity identity = route.identity();
        if (current != null && !current.identity().equals(identity) && route.resolvedBefore(current.route())) {
            return current; // a request that read the route before the change this pool was built from
        }
        if (current == null || !current.identity().equals(identity)) {
            current = create(route, identity);
        }
        current.verifiedRoute = route;
        return current;
    }

    /**
     * The slow path, taken once per pool: one lock serialises creations so that a tenant gets one
     * pool however many first requests race, and so the live-pool cap is never overshot. Nothing
     * under the lock does I/O, so it is held for microseconds, even on an event loop.
     */
    private TenantPool create(TenantRoute route, TenantRoute.PoolIdentity identity) {
        synchronized (creationLock) {
            if (!accepting) {
                throw new GovernorRejection(GovernorRejection.Reason.SHUTTING_DOWN, "this instance is shutting down");
            }
            TenantPool existing = pools.get(route.key());
            if (existing != null && (existing.identity().equals(identity) || route.resolvedBefore(existing.route()))) {
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
            TenantPool pool = build(route, identity);
            pools.put(route.key(), pool);
            return pool;
        }
    }

    private void evictLeastRecentlyUsed() {
        pools.values().stream()
                .min(Comparator.comparingLong(TenantPool::lastUsedNanos))
                .ifPresent(lru -> {
                    if (pools.remove(lru.key(), lru)) {
                        retire(lru, "least recently used, live-pool cap " + config.maxLivePools());
                    }
                });
    }

    private TenantPool build(TenantRoute route, TenantRoute.PoolIdentity identity) {
        ServerBudget server = budgets.use(route.server());
        int maxSize = options.maxSize(route);
        TenantPool pool = new TenantPool(route, identity, server, maxSize, guards.newGuard(route.key()),
                timings(route.server()), statements, this::closed, connection -> firstConnection(server, route, connection));
        server.register(pool);
        created.computeIfAbsent(route.key(), k -> new AtomicLong()).incrementAndGet();
        LOG.infof("created pool for tenant %s on %s (max %d, server share %d)", route.key(), route.server(), maxSize,
                server.limit());
        return pool;
    }

    /** A pool finished closing: its server forgets it, and so does the drain. */
    private void closed(TenantPool pool) {
        draining.remove(pool);
        budgets.unuse(pool.server());
        LOG.debugf("closed pool of tenant %s", pool.key());
    }

    /**
     * Called with every new connection: the first connection to a server reads its
     * {@code max_connections} when the budget is derived from it (a prepared statement).
     */
    private void firstConnection(ServerBudget budget, TenantRoute route, SqlConnection connection) {
        if (!budgets.derivesFromServer() || budget.isDerived()) {
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
        });
    }

    /** Timers tagged by server only: a bounded set however many tenants come and go. */
    private TenantPool.Timings timings(String server) {
        return new TenantPool.Timings(
                Timer.builder("tenantgate.acquire.wait").description("Wait for a tenant connection")
                        .tag("server", server).register(meters),
                Timer.builder("tenantgate.connection.lease").description("Time tenant work held a connection")
                        .tag("server", server).register(meters),
                statements.statementTimer(server));
    }

    /**
     * Retires a tenant's pool, e.g. when it is suspended or removed: its admitted work finishes first.
     * Returns whether the tenant had a live pool.
     */
    public boolean evict(String tenantKey) {
        TenantPool removed = pools.remove(tenantKey);
        if (removed != null) {
            retire(removed, "evicted");
            return true;
        }
        return false;
    }

    /** Retires every pool with no work in flight or queued right now; returns the tenants whose pools were retired. */
    public List<String> evictIdle() {
        List<String> evicted = new ArrayList<>();
        for (TenantPool pool : pools.values()) {
            if (pool.server().isIdle(pool) && pools.remove(pool.key(), pool)) {
                retire(pool, "evicted as idle by an operator");
                evicted.add(pool.key());
            }
        }
        return evicted;
    }

    /** Starts draining a pool that has already left the map; it closes when its work is done. */
    private void retire(TenantPool pool, String why) {
        LOG.debugf("retiring the pool of tenant %s (%s)", pool.key(), why);
        pool.drainDeadlineNanos = System.nanoTime() + config.drainTimeout().toNanos();
        draining.add(pool);
        pool.server().retire(pool);
    }

    private void housekeeping() {
        long now = System.nanoTime();
        for (TenantPool pool : draining) {
            if (now > pool.drainDeadlineNanos) {
                LOG.warnf("pool of tenant %s still had work after the drain timeout; closing it", pool.key());
                pool.server().forceClose(pool);
            }
        }
        long idleLimit = config.poolIdleTimeout().toNanos();
        for (TenantPool pool : pools.values()) {
            if (now - pool.lastUsedNanos() > idleLimit && pool.server().isIdle(pool) && pools.remove(pool.key(), pool)) {
                retire(pool, "unused for " + config.poolIdleTimeout());
            }
        }
        budgets.forgetUnused();
    }

    /** How many pools were ever created for a tenant: the observable of the one-pool invariant. */
    public long poolsCreated(String tenantKey) {
        AtomicLong count = created.get(tenantKey);
        return count == null ? 0 : count.get();
    }

    /** The circuit breaker of the tenant's live pool, if it has one. */
    public Optional<TenantGuard> guardOf(String tenantKey) {
        TenantPool pool = pools.get(tenantKey);
        return pool == null ? Optional.empty() : Optional.of(pool.guard());
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

    /** Pools retired but not yet closed, waiting for their work. */
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

    /**
     * Whether no retired pool is still waiting for its work and every connection has been seen
     * closed (each closed with the protocol's quit, so servers log no aborted connection).
     */
    public boolean drained() {
        return draining.isEmpty() && budgets.all().values().stream().allMatch(b -> b.liveConnections() == 0);
    }

    /** A consistent-enough view of every live pool and server budget, for health, metrics and admin. */
    public GovernorStats snapshot() {
        List<GovernorStats.TenantStats> tenants = new ArrayList<>();
        for (TenantPool pool : pools.values()) {
            TenantPool.View view = pool.server().view(pool);
            tenants.add(new GovernorStats.TenantStats(pool.key(), pool.server().server(), view.open(), view.inUse(),
                    view.idle(), view.waiting(), pool.maxSize, saturation(view.open(), view.waiting(), pool.maxSize), pool.createdAt,
                    Instant.now().minusNanos(System.nanoTime() - pool.lastUsedNanos()), pool.uses(),
                    pool.guard().state().name(), pool.guard().lastFailure()));
        }
        List<GovernorStats.ServerStats> servers = new ArrayList<>();
        budgets.all().forEach((name, budget) -> {
            ServerBudget.ServerView view = budget.view();
            servers.add(new GovernorStats.ServerStats(name, view.open(), view.inUse(), view.idle(), view.waiting(),
                    view.limit(), saturation(view.open(), view.waiting(), view.limit()), view.rejected(), budget.moves(),
                    budget.reconnects(), budget.connects(), budget.health().name(), budget.stalls(), budget.refusals()));
        });
        return new GovernorStats(servers, tenants);
    }

    /** {@code open / max}; a share of zero (a replica that has none yet) is saturated only if used or wanted. */
    private static double saturation(int open, int waiting, int max) {
        if (max <= 0) {
            return open > 0 || waiting > 0 ? 1.0 : 0.0;
        }
        return (double) open / max;
    }

    @PreDestroy
    void closeAll() {
        vertx.cancelTimer(housekeepingTimer);
        vertx.cancelTimer(healthTimer);
        accepting = false;
        for (TenantPool pool : List.copyOf(pools.values())) {
            pool.server().forceClose(pool);
        }
        for (TenantPool pool : List.copyOf(draining)) {
            pool.server().forceClose(pool);
        }
        pools.clear();
        draining.clear();
    }
}
