package io.tenantgate.governor;

import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The connection budget of every database server this instance talks to.
 *
 * <p>Each instance takes {@code floor(budget / replicas)} of a server's budget. The sum over
 * replicas never exceeds the budget, so the server never refuses tenantgate; the price is that an
 * instance cannot borrow the share of an idle or missing replica. Coordinating shares across
 * replicas at run time would need a shared store on the hot path, which we avoid on purpose.
 */
@ApplicationScoped
public class ServerBudgets {

    private static final Logger LOG = Logger.getLogger(ServerBudgets.class);

    private final Vertx vertx;
    private final BudgetConfig config;
    private final Connector connector;
    private final ServerBudget.Settings settings;
    private final ConcurrentMap<String, ServerBudget> budgets = new ConcurrentHashMap<>();

    public ServerBudgets(Vertx vertx, BudgetConfig config, PoolConfig pool, Connector connector,
                         io.tenantgate.resilience.ResilienceConfig resilience) {
        this.vertx = vertx;
        this.config = config;
        this.connector = connector;
        this.settings = new ServerBudget.Settings(Math.max(1, pool.handoverQuantum()), pool.handoverLinger().toMillis(),
                config.releaseGrace().toMillis(),
                pool.idleTimeout().toNanos(), pool.maxLifetime().isZero() ? Long.MAX_VALUE : pool.maxLifetime().toNanos(),
                Math.max(1, pool.acquireTimeout().toMillis()), Math.max(0, pool.maxWaitQueue()),
                resilience.stall().threshold().toNanos(), Math.max(1, resilience.stall().probeTimeout().toMillis()),
                resilience.stall().probeInterval().toNanos(), pool.statementTimeout().toNanos(),
                resilience.stall().answerDelay().toMillis(), pool.handoverPatience().toNanos());
    }

    private ServerBudget newBudget(String server) {
        return new ServerBudget(server, shareOf(server), vertx, connector, settings);
    }

    /** The budget of {@code host:port}, created on first use; for looking, not for holding on to. */
    public ServerBudget of(String server) {
        return budgets.computeIfAbsent(server, this::newBudget);
    }

    /**
     * The budget of {@code host:port} for a user that will take permits from it (a tenant pool, a
     * migration), who gives it back with {@link #unuse}. Counted atomically with {@link #forgetUnused},
     * so a budget is never dropped while anyone may still take a permit from it: two budgets for one
     * server would double its connections.
     */
    ServerBudget use(String server) {
        return budgets.compute(server, (s, budget) -> {
            ServerBudget used = budget == null ? newBudget(s) : budget;
            used.addUser();
            return used;
        });
    }

    void unuse(ServerBudget budget) {
        budgets.computeIfPresent(budget.server(), (s, current) -> {
            budget.removeUser();
            return current;
        });
    }

    /**
     * Drops the budgets of servers nobody has used for {@code forget-unused-after}: no pool, no
     * migration, no permit granted, no one waiting. Operators probing hosts through the admin API,
     * or tenants that moved away, leave no budget (and no metric series) behind.
     */
    void forgetUnused() {
        long now = System.nanoTime();
        long after = config.forgetUnusedAfter().toNanos();
        for (String server : budgets.keySet()) {
            budgets.computeIfPresent(server, (s, budget) -> {
                if (budget.unusedSince(now) >= after) {
                    LOG.debugf("forgetting the budget of %s: nothing has used it for %s", s, config.forgetUnusedAfter());
                    return null;
                }
                return budget;
            });
        }
    }

    /** This instance's share of a server's budget. */
    public int shareOf(String server) {
        int budget = config.servers().getOrDefault(server, config.defaultPerServer());
        int replicas = Math.max(1, config.replicas());
        int share = budget / replicas;
        if (share < 1) {
            LOG.errorf("server %s: budget %d shared by %d replicas leaves this instance no connection at all",
                    server, budget, replicas);
        }
        return Math.max(0, share);
    }

    /**
     * Caps a server's budget by its own {@code max_connections} minus the reserve, shared by the
     * replicas, when {@code derive-from-server} is on. Called with the first connection to a server.
     */
    public void deriveFromServer(ServerBudget budget, int maxConnections) {
        int allows = Math.max(0, maxConnections - config.reserve()) / Math.max(1, config.replicas());
        if (budget.deriveLimit(allows)) {
            LOG.infof("server %s allows %d connections; this instance's share is now %d (reserve %d, %d replicas)",
                    budget.server(), maxConnections, budget.limit(), config.reserve(), config.replicas());
        }
    }

    public boolean derivesFromServer() {
        return config.deriveFromServer();
    }

    public long releaseGraceMillis() {
        return config.releaseGrace().toMillis();
    }

    /** Every known budget, for stats and tests. */
    public Map<String, ServerBudget> all() {
        return Map.copyOf(budgets);
    }
}
