package io.tenantgate.governor;

import io.tenantgate.governor.ServerBudget.Health;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The stall detector of one server: whether it answers, judged from the replies it gives.
 *
 * <p><b>Rule.</b> A server that gave no reply for the threshold while calls were in flight is
 * suspected and probed; a probe with no answer within the probe timeout makes it stalled; any reply
 * (a statement, a connect, a refusal, a late connect) makes it healthy again. The threshold is
 * twenty recent mean leases, at least {@code stall.threshold} and at most four times that. Silence
 * while this process itself did not run (a pause of over a second between looks) is not the server's.
 * <pre>
 *   HEALTHY ──no reply for the threshold, calls in flight──▶ SUSPECT ──probe answered──▶ HEALTHY
 *   SUSPECT ──probe unanswered in time──▶ STALLED ──any reply──▶ HEALTHY
 * </pre>
 *
 * <p>Holds no lock and does no I/O: {@link ServerBudget} calls it under its own lock with the time,
 * carries out what it answers (probes, failing requests fast) and logs after the lock.
 */
final class ServerHealth {

    /** The detector's settings, all in nanoseconds. */
    record Settings(long thresholdNanos, long probeTimeoutNanos, long probeIntervalNanos, long statementTimeoutNanos,
                    long answerDelayNanos) {
    }

    /** What a look at the server's health asks for. */
    enum Check {
        /** Nothing to do. */
        NONE,
        /** The server was healthy and is suspected now: probe it. */
        SUSPECT,
        /** Suspected or stalled, and it is time for the next probe. */
        PROBE
    }

    private static final long PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Settings settings;
    private volatile Health health = Health.HEALTHY;
    private long sinceNanos;
    private long endedSpellNanos;
    private long lastReplyNanos;
    private double meanLeaseNanos;
    /** A probe's call is outstanding: its reply, whenever it comes, ends a stall. */
    private boolean probing;
    private long lastProbeNanos;
    /**
     * Connects that timed out and have not ended (a frozen server leaves them pending): the first
     * to end on the server's answer ends a stall, so no more probes are needed while one is out.
     */
    private int lateConnects;
    private long lastLateConnectNanos;
    private volatile long stalls; // written under the budget's lock, read by stats without it
    /** When health was last looked at, and when this process last resumed after not running. */
    private long lastCheckNanos;
    private long resumedNanos;

    ServerHealth(Settings settings, long now) {
        this.settings = settings;
        this.sinceNanos = now;
        this.lastReplyNanos = now;
        this.lastCheckNanos = now;
    }

    Settings settings() {
        return settings;
    }

    /** Read without the lock (it is volatile): for requests' fast paths and stats. */
    Health health() {
        return health;
    }

    long stalls() {
        return stalls;
    }

    /** When the current health began. */
    long sinceNanos() {
        return sinceNanos;
    }

    /** How long the server was suspected or stalled before its last recovery, for the log line. */
    long endedSpellNanos() {
        return endedSpellNanos;
    }

    long lastReplyNanos() {
        return lastReplyNanos;
    }

    /**
     * The server replied ({@code leaseNanos >= 0}: a lease ended after that long; {@code -1}: a
     * connect, move or probe answered). Returns the health it left if it was not healthy, else null.
     */
    Health replied(long now, long leaseNanos) {
        lastReplyNanos = now;
        if (leaseNanos >= 0) {
            meanLeaseNanos = meanLeaseNanos == 0 ? leaseNanos : meanLeaseNanos * 0.95 + leaseNanos * 0.05;
        }
        if (health == Health.HEALTHY) {
            return null;
        }
        Health was = health;
        endedSpellNanos = now - sinceNanos;
        health = Health.HEALTHY;
        sinceNanos = now;
        return was;
    }

    /** How long calls may go without any reply before the server is suspected. */
    long threshold() {
        long floor = settings.thresholdNanos();
        return Math.max(floor, Math.min(4 * floor, (long) (20 * meanLeaseNanos)));
    }

    /**
     * Looks at the server: costs a comparison unless it has given no reply for the threshold.
     * {@code oldestInFlight} gives when the oldest call still waiting on the server began (0: none);
     * it is asked only then. A {@link Check#SUSPECT} answer has made the server SUSPECT.
     */
    Check check(long now, LongSupplier oldestInFlight) {
        noticePause(now);
        if (settings.thresholdNanos() <= 0) {
            return Check.NONE;
        }
        // A probe whose call is still out decides; one that never ends stops counting after a while.
        if (probing && now - lastProbeNanos < 10 * settings.probeIntervalNanos()) {
            return Check.NONE;
        }
        if (health != Health.HEALTHY) {
            // A connect left pending by the freeze ends the stall as soon as the server answers it;
            // a new probe would only leave one more pending (it holds a slot once the server thaws).
            boolean lateOneOut = lateConnects > 0 && now - lastLateConnectNanos < 30 * settings.probeIntervalNanos();
            return !lateOneOut && now - lastProbeNanos >= settings.probeIntervalNanos() ? Check.PROBE : Check.NONE;
        }
        long threshold = threshold();
        if (now - Math.max(lastReplyNanos, resumedNanos) <= threshold) {
            return Check.NONE;
        }
        long oldest = oldestInFlight.getAsLong();
        if (oldest != 0 && now - Math.max(oldest, resumedNanos) > threshold) {
            health = Health.SUSPECT;
            sinceNanos = now;
            return Check.SUSPECT;
        }
        return Check.NONE;
    }

    /** A probe is due now; {@code started}: one went out (its reply, or its timeout, decides). */
    void probed(long now, boolean started) {
        lastProbeNanos = now;
        probing |= started;
    }

    /**
     * Nothing to probe with (every permit is on a call): long statements look the same as a frozen
     * server until they outlive the statement timeout, which a live server enforces. True if the
     * oldest call has outlived it by the threshold: the server is stalled.
     */
    boolean outlivedStatementTimeout(long now, long oldestInFlight) {
        return settings.statementTimeoutNanos() > 0 && oldestInFlight != 0
                && now - Math.max(oldestInFlight, resumedNanos) > settings.statementTimeoutNanos() + settings.thresholdNanos();
    }

    /** The probe got an answer (success or an error the server sent): the server answers. */
    Health probeAnswered(long now) {
        probing = false;
        return replied(now, -1);
    }

    /** The probe failed without an answer; a connect that timed out may still end later. */
    void probeFailed(long now, boolean timedOut) {
        probing = false;
        if (timedOut) {
            connectTimedOut(now);
        }
    }

    /**
     * The probe timeout passed with the probe still out: true if the server is stalled now, unless
     * this process resumed within the probe's time (its answer may be waiting to be read).
     */
    boolean probeUnanswered(long now) {
        noticePause(now);
        boolean resumedMeanwhile = now - resumedNanos < settings.probeTimeoutNanos();
        return health != Health.HEALTHY && !resumedMeanwhile;
    }

    /** A connect failed with its deadline; Vert.x leaves it pending, and its end may come later. */
    void connectTimedOut(long now) {
        lateConnects++;
        lastLateConnectNanos = now;
    }

    /** A connect that had timed out ended after all. */
    void lateConnectEnded() {
        lateConnects = Math.max(0, lateConnects - 1);
    }

    /** The server is stalled. Returns true if it was not already (counted as one more stall). */
    boolean stall(long now) {
        if (health == Health.STALLED) {
            return false;
        }
        stalls++;
        health = Health.STALLED;
        sinceNanos = now;
        return true;
    }

    /**
     * A gap in our own looking means this process did not run; the time since resuming is what
     * counts. Returns the gap if it was one, else 0.
     */
    long noticePause(long now) {
        long gap = now - lastCheckNanos;
        lastCheckNanos = now;
        if (gap > PAUSE_NANOS) {
            resumedNanos = now;
            return gap;
        }
        return 0;
    }
}
