package io.tenantgate.governor;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The timings of the lease protocol ({@link ReplicaLeases}), derived once from configuration and
 * checked against the constraints its safety argument needs. A violated constraint stops start-up
 * with a message that names the properties.
 *
 * <p>Derived here, because the connections themselves carry part of the protocol: with leases on,
 * every tenant connection is told by its server to close after {@link #serverIdleTimeoutSeconds()}
 * idle, so that a replica frozen while holding connections (a {@code SIGSTOP}, a stuck VM) has them
 * closed by the server before the others reuse its share; the governor closes its idle connections
 * a second earlier ({@link #governorIdleCapNanos()}), so it never lends one the server is about to drop.
 */
@ApplicationScoped
public class LeaseTimings {

    private static final Logger LOG = Logger.getLogger(LeaseTimings.class);

    private final boolean enabled;
    private final int maxReplicas;
    private final long renewNanos;
    private final long ttlNanos;
    private final long marginNanos;
    private final long horizonNanos;
    private final long statementTimeoutNanos;
    private final int serverIdleTimeoutSeconds;

    public LeaseTimings(BudgetConfig budget, PoolConfig pool) {
        this.maxReplicas = maxReplicas(budget);
        BudgetConfig.Lease lease = budget.lease();
        this.enabled = lease.enabled();
        this.renewNanos = lease.renew().toNanos();
        this.ttlNanos = lease.ttl().toNanos();
        this.marginNanos = lease.margin().toNanos();
        this.horizonNanos = lease.horizon().toNanos();
        this.statementTimeoutNanos = pool.statementTimeout().toNanos();
        long idleRoom = ttlNanos / 2 + marginNanos - statementTimeoutNanos;
        this.serverIdleTimeoutSeconds = (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toSeconds(idleRoom));
        if (enabled) {
            check();
        }
    }

    private static int maxReplicas(BudgetConfig budget) {
        if (budget.maxReplicas().isPresent()) {
            return require(budget.maxReplicas().get(), "tenantgate.budget.max-replicas");
        }
        if (budget.replicas().isPresent()) {
            LOG.warn("tenantgate.budget.replicas is deprecated: set tenantgate.budget.max-replicas instead"
                    + " (the same number; with leases on it is only the floor of each replica's share)");
            return require(budget.replicas().get(), "tenantgate.budget.replicas");
        }
        return 1;
    }

    private static int require(int replicas, String property) {
        if (replicas < 1) {
            throw new IllegalArgumentException(property + " must be at least 1, not " + replicas);
        }
        return replicas;
    }

    /**
     * The constraints of the safety argument in {@link ReplicaLeases}: a replica shrinks to its
     * minimum (by {@code ttl/2 + statement-timeout}) and to zero (by {@code horizon - margin})
     * before the others reuse what it gave up, and its server drops a frozen replica's idle
     * connections in time.
     */
    private void check() {
        String p = "tenantgate.budget.lease.";
        if (renewNanos <= 0 || 2 * renewNanos >= ttlNanos) {
            fail(p + "renew (" + d(renewNanos) + ") must be positive and less than half of " + p + "ttl (" + d(ttlNanos) + ")");
        }
        if (marginNanos <= 0) {
            fail(p + "margin must be positive (it must exceed the largest clock-rate error and renewal delay)");
        }
        if (statementTimeoutNanos <= 0) {
            fail("tenantgate.pool.statement-timeout must be set when leases are on (" + p + "enabled=true):"
                    + " it bounds how long a replica takes to give back a connection its share no longer covers");
        }
        if (serverIdleTimeoutSeconds < 2) {
            fail(p + "ttl / 2 + " + p + "margin - tenantgate.pool.statement-timeout must be at least 2s (it is "
                    + d(ttlNanos / 2 + marginNanos - statementTimeoutNanos) + "): it is the idle time after which a"
                    + " tenant's server closes a connection of a replica that has stopped running; raise the ttl");
        }
        if (horizonNanos < 3 * ttlNanos || horizonNanos - marginNanos - statementTimeoutNanos <= ttlNanos / 2) {
            fail(p + "horizon (" + d(horizonNanos) + ") must be at least 3 times " + p + "ttl (" + d(ttlNanos)
                    + ") and leave room for the statement timeout before it ends");
        }
    }

    private static void fail(String message) {
        throw new IllegalArgumentException(message);
    }

    private static String d(long nanos) {
        return Duration.ofNanos(nanos).toString().substring(2).toLowerCase();
    }

    public boolean enabled() {
        return enabled;
    }

    public int maxReplicas() {
        return maxReplicas;
    }

    long renewNanos() {
        return renewNanos;
    }

    /**
     * Others count a lease this old as expired (its share above its minimum is theirs to reuse);
     * a younger one is a live replica.
     */
    public long expiredAfterNanos() {
        return ttlNanos + marginNanos;
    }

    /** Others delete a lease this old and reuse its minimum too. */
    long goneAfterNanos() {
        return horizonNanos + marginNanos;
    }

    /** A replica keeps its whole share this long after sending its last successful renewal. */
    long fullShareForNanos() {
        return ttlNanos / 2;
    }

    /**
     * A replica keeps its minimum this long after sending its last successful renewal, then has
     * nothing: early enough that its last statements have ended by {@code horizon - margin}.
     */
    long floorForNanos() {
        return horizonNanos - marginNanos - statementTimeoutNanos;
    }

    /** The idle time after which a tenant server closes one of our connections; 0 with leases off. */
    public int serverIdleTimeoutSeconds() {
        return enabled ? serverIdleTimeoutSeconds : 0;
    }

    /** The governor's own idle timeout for connections, capped below the server's when leases are on. */
    long governorIdleCapNanos(long configured) {
        return enabled ? Math.min(configured, TimeUnit.SECONDS.toNanos(serverIdleTimeoutSeconds - 1)) : configured;
    }
}
