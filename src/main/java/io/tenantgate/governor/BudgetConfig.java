package io.tenantgate.governor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;

/**
 * Connection budgets per database server ({@code host:port}), shared by every tenant on it.
 */
@ConfigMapping(prefix = "tenantgate.budget")
public interface BudgetConfig {

    /**
     * Connections all tenantgate replicas together may hold to one server, unless overridden in
     * {@link #servers()}. Keep it below the server's {@code max_connections} minus what other
     * clients (admins, migrations tools, replication) need.
     */
    @WithDefault("40")
    int defaultPerServer();

    /** Per-server budgets, keyed {@code "host:port"}, e.g. {@code tenantgate.budget.servers."db1:5432"=60}. */
    Map<String, Integer> servers();

    /**
     * Replicas of tenantgate sharing each budget. Each instance takes {@code floor(budget / replicas)}:
     * never more than the budget in total, at the price of unused capacity when replicas are idle or
     * fewer than configured (see {@link ServerBudgets}).
     */
    @WithDefault("1")
    int replicas();

    /**
     * The teardown allowance: how long after a connection is seen closed its permit is given to
     * someone else. A server keeps counting a connection until it has torn it down, which lags
     * behind the client's view (more under load); where the server's own limit equals the budget,
     * the allowance must exceed that lag or the server could refuse the next connect. Where the
     * server has headroom above the budget it could be 0.
     */
    @WithDefault("50ms")
    Duration releaseGrace();

    /**
     * Also cap each server's budget at what the server itself allows: {@code max_connections}
     * (read on the first connection to it) minus {@link #reserve()}, shared by the replicas. The
     * lower of this and the configured budget wins.
     */
    @WithDefault("false")
    boolean deriveFromServer();

    /** Connections of a server's {@code max_connections} left to everyone else (admins, tools, replication). */
    @WithDefault("10")
    int reserve();

    /**
     * A server's budget (and its metric series) is forgotten once nothing has used it this long: no
     * tenant pool, no migration, no connection. It is made again, at its configured size, on next use.
     */
    @WithDefault("60s")
    Duration forgetUnusedAfter();
}
