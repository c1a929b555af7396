package io.tenantgate.governor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

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
     * The most replicas of tenantgate expected to run at once (an HPA's {@code maxReplicas} plus the
     * rollout's surge). It sets each replica's guaranteed minimum, {@code floor(budget /
     * max(max-replicas, live replicas))}, which it keeps while it cannot reach the registry. With
     * leases off every replica takes exactly {@code floor(budget / max-replicas)}. Default 1.
     */
    Optional<Integer> maxReplicas();

    /**
     * Deprecated: the old name of {@link #maxReplicas()}, read when that is not set, with a warning.
     */
    @Deprecated
    Optional<Integer> replicas();

    /** Shares of each server's budget that follow the live replicas, through leases in the registry. */
    Lease lease();

    /**
     * The lease protocol's settings (see {@link ReplicaLeases} for the protocol and why these
     * timings are safe; they are checked at start-up).
     */
    interface Lease {

        /**
         * Split each server's budget among the live replicas through leases in the registry. Off:
         * each replica takes {@code floor(budget / max-replicas)}, as before leases existed.
         */
        @WithDefault("true")
        boolean enabled();

        /** How often a replica renews its lease and re-reads everybody's shares. Less than {@code ttl / 2}. */
        @WithDefault("2s")
        Duration renew();

        /**
         * A lease not renewed for this long is expired: the others reuse its share above its
         * minimum ({@code ttl + margin} after its last renewal). A replica that cannot renew for
         * {@code ttl / 2} shrinks to its minimum by its own clock.
         */
        @WithDefault("20s")
        Duration ttl();

        /**
         * Safety margin on every deadline the others apply to an expired lease: covers the time a
         * renewal spends between leaving the replica and being stamped by the registry, and clock
         * rate differences. All lease times are stamped and compared on the registry's clock, so
         * clock offsets between replicas do not matter.
         */
        @WithDefault("2s")
        Duration margin();

        /**
         * How long an expired lease keeps its minimum: its replica serves at its minimum until
         * {@code horizon - margin} (a registry outage shorter than this costs no replica its
         * minimum), then at zero; the others reuse the minimum and delete the row after
         * {@code horizon + margin}. In line with {@code tenantgate.registry.max-stale}.
         */
        @WithDefault("5m")
        Duration horizon();

        /** This replica's name in the lease table; default the host name plus a random suffix (unique per start). */
        Optional<String> replicaId();
    }

    /**
     * The release grace: how long after a connection is seen closed its permit is given to
     * someone else. A server keeps counting a connection until it has torn it down, which lags
     * behind the client's view (more under load); where the server's own limit equals the budget,
     * the grace must exceed that lag or the server could refuse the next connect. Where the
     * server has headroom above the budget it could be 0.
     */
    @WithDefault("50ms")
    Duration releaseGrace();

    /**
     * Also cap each server's budget at what the server itself allows: {@code max_connections}
     * (read on the first connection to it) minus {@link #reserve()}, shared by the replicas like
     * a configured budget. The
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
