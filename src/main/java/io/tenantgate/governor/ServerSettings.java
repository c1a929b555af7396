package io.tenantgate.governor;

import io.tenantgate.governor.resilience.ResilienceConfig;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How one server's connections are scheduled ({@link ServerBudget}), derived from configuration,
 * by part: hand-overs ({@link HandOverRules}), connections and waits, the stall detector
 * ({@link ServerHealth}). Every time is in nanoseconds; those a timer waits are whole milliseconds.
 */
record ServerSettings(HandOverRules.Settings handOver, Connections connections, ServerHealth.Settings health) {

    /**
     * @param releaseGraceNanos {@code tenantgate.budget.release-grace}: how long a permit stays
     *                          taken after its connection's close was observed
     */
    record Connections(long acquireTimeoutNanos, int maxWaitQueue, long idleTimeoutNanos, long maxLifetimeNanos,
                       long releaseGraceNanos) {
    }

    static ServerSettings of(PoolConfig pool, BudgetConfig budget, ResilienceConfig resilience, LeaseTimings leases) {
        ResilienceConfig.Stall stall = resilience.stall();
        return new ServerSettings(
                new HandOverRules.Settings(Math.max(1, pool.handoverQuantum()), timerNanos(pool.handoverLinger(), 0),
                        pool.handoverPatience().toNanos()),
                new Connections(timerNanos(pool.acquireTimeout(), 1), Math.max(0, pool.maxWaitQueue()),
                        leases.governorIdleCapNanos(pool.idleTimeout().toNanos()),
                        pool.maxLifetime().isZero() ? Long.MAX_VALUE : pool.maxLifetime().toNanos(),
                        timerNanos(budget.releaseGrace(), 0)),
                new ServerHealth.Settings(stall.threshold().toNanos(), timerNanos(stall.probeTimeout(), 1),
                        stall.probeInterval().toNanos(), pool.statementTimeout().toNanos(),
                        timerNanos(stall.answerDelay(), 0)));
    }

    /** A time a Vert.x timer waits: whole milliseconds (a timer's unit), at least {@code minMillis}. */
    private static long timerNanos(Duration time, long minMillis) {
        return TimeUnit.MILLISECONDS.toNanos(Math.max(minMillis, time.toMillis()));
    }
}
