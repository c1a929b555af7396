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
 * <p>A server's budget is what all replicas together may hold. With leases on (the default),
 * {@link ReplicaLeases} splits it among the live replicas through the registry, off the request
 * path: a new budget starts with no share and grows only by a renewal. With leases off each
 * instance takes {@code floor(budget / max-replicas)}: never more than the budget in total, at the
 * price of unused capacity when fewer replicas run.
 */
@ApplicationScoped
public class ServerBudgets {

    private static final Logger LOG = Logger.getLogger(ServerBudgets.class);

    private final Vertx vertx;
    private final BudgetConfig config;
    private final Connector connector;
    private final ServerSettings settings;
    private final LeaseTimings leases;
    private final ConcurrentMap<String, ServerBudget> budgets = new ConcurrentHashMap<>();
    /** Told of every new budget (the lease protocol claims a share for it at once). */
    private volatile java.util.function.Consumer<ServerBudget> onNewBudget = budget -> { };

    public ServerBudgets(Vertx vertx, BudgetConfig config, PoolConfig pool, Connector connector,
                         io.tenantgate.governor.resilience.ResilienceConfig resilience, LeaseTimings leases) {
        this.vertx = vertx;
        this.config = config;
        this.connector = connector;
        this.leases = leases;
        this.settings = ServerSettings.of(pool, config, resilience, leases);
    }

    private ServerBudget newBudget(String server) {
        ServerBudget budget = leases.enabled()
                ? new ServerBudget(server, configuredBudget(server), true, vertx, connector, settings)
                : new ServerBudget(server, shareOf(server), false, vertx, connector, settings);
        if (leases.enabled()) {
            vertx.runOnContext(v -> onNewBudget.accept(budget)); // after it is in the map
        }
        return budget;
    }

    void onNewBudget(java.util.function.Consumer<ServerBudget> action) {
        this.onNewBudget = action;
    }

    /** The budget of all replicas together for {@code host:port}, as configured. */
    int configuredBudget(String server) {
        return config.servers().getOrDefault(server, config.defaultPerServer());
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

    /** This instance's share of a server's budget with leases off. */
    public int shareOf(String server) {
        int budget = configuredBudget(server);
        int replicas = leases.maxReplicas();
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
        int room = Math.max(0, maxConnections - config.reserve());
        if (leases.enabled()) {
            if (budget.deriveLimit(room)) {
                LOG.infof("server %s allows %d connections; all replicas together now take at most %d (reserve %d),"
                        + " split by the leases", budget.server(), maxConnections, room, config.reserve());
            }
            return;
        }
        if (budget.deriveLimit(room / leases.maxReplicas())) {
            LOG.infof("server %s allows %d connections; this instance's share is now %d (reserve %d, %d replicas)",
                    budget.server(), maxConnections, budget.limit(), config.reserve(), leases.maxReplicas());
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
