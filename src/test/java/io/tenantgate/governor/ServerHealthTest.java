package io.tenantgate.governor;

import io.tenantgate.governor.ServerBudget.Health;
import io.tenantgate.governor.ServerHealth.Check;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stall detector's rules ({@link ServerHealth}), each proved by exact answers at times the test
 * chooses: a server silent for the threshold with calls in flight is suspected, probed once per
 * interval (not while a probe or a late connect is out), stalled when a probe goes unanswered, and
 * healthy again on any reply; the threshold follows the mean lease within its bounds, and silence
 * while this process did not run is not the server's.
 */
class ServerHealthTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 1_000_000_000L;
    private static final long THRESHOLD = 200 * MS;
    private static final long PROBE_TIMEOUT = 100 * MS;
    private static final long PROBE_INTERVAL = 50 * MS;
    private static final long STATEMENT_TIMEOUT = 2_000 * MS;

    private static ServerHealth.Settings settings(long threshold) {
        return new ServerHealth.Settings(threshold, PROBE_TIMEOUT, PROBE_INTERVAL, STATEMENT_TIMEOUT, 5 * MS);
    }

    private static ServerHealth detector() {
        return new ServerHealth(settings(THRESHOLD), T0);
    }

    private static LongSupplier oldest(long nanos) {
        return () -> nanos;
    }

    /** A detector made SUSPECT at {@code T0 + THRESHOLD + 1} by a call in flight since T0. */
    private static ServerHealth suspected() {
        ServerHealth health = detector();
        assertEquals(Check.SUSPECT, health.check(T0 + THRESHOLD + 1, oldest(T0)));
        return health;
    }

    @Test
    void aNewDetectorIsHealthyAndHasCountedNoStall() {
        ServerHealth.Settings settings = settings(THRESHOLD);
        ServerHealth health = new ServerHealth(settings, T0);
        assertSame(settings, health.settings());
        assertEquals(Health.HEALTHY, health.health());
        assertEquals(0, health.stalls());
        assertEquals(T0, health.sinceNanos());
        assertEquals(T0, health.lastReplyNanos());
        assertEquals(THRESHOLD, health.threshold());
    }

    @Test
    void aServerSilentForTheThresholdWithCallsInFlightIsSuspected() {
        ServerHealth health = detector();
        assertEquals(Check.NONE, health.check(T0 + THRESHOLD, oldest(T0)));
        assertEquals(Health.HEALTHY, health.health());

        assertEquals(Check.SUSPECT, health.check(T0 + THRESHOLD + 1, oldest(T0)));
        assertEquals(Health.SUSPECT, health.health());
        assertEquals(T0 + THRESHOLD + 1, health.sinceNanos());
    }

    @Test
    void aSilentServerWithNoCallInFlightIsNotSuspected() {
        ServerHealth health = detector();
        assertEquals(Check.NONE, health.check(T0 + 300 * MS, oldest(0)));
        assertEquals(Health.HEALTHY, health.health());
    }

    @Test
    void aCallYoungerThanTheThresholdDoesNotMakeTheServerSuspect() {
        ServerHealth health = detector();
        assertEquals(Check.NONE, health.check(T0 + 300 * MS, oldest(T0 + 100 * MS)));
        assertEquals(Health.HEALTHY, health.health());
        assertEquals(Check.SUSPECT, health.check(T0 + 300 * MS + 1, oldest(T0 + 100 * MS)));
    }

    @Test
    void theCallsInFlightAreAskedForOnlyOnceTheSilenceExceedsTheThreshold() {
        ServerHealth health = detector();
        AtomicInteger asked = new AtomicInteger();
        LongSupplier counting = () -> {
            asked.incrementAndGet();
            return 0;
        };
        health.check(T0 + THRESHOLD, counting);
        assertEquals(0, asked.get());
        health.check(T0 + THRESHOLD + 1, counting);
        assertEquals(1, asked.get());
    }

    @Test
    void aThresholdOfZeroDisablesTheDetector() {
        ServerHealth health = new ServerHealth(settings(0), T0);
        AtomicInteger asked = new AtomicInteger();
        assertEquals(Check.NONE, health.check(T0 + 900 * MS, () -> {
            asked.incrementAndGet();
            return T0;
        }));
        assertEquals(0, asked.get());
        assertEquals(Health.HEALTHY, health.health());
    }

    @Test
    void aReplyRestartsTheSilence() {
        ServerHealth health = detector();
        assertNull(health.replied(T0 + 150 * MS, -1));
        assertEquals(T0 + 150 * MS, health.lastReplyNanos());
        assertEquals(Check.NONE, health.check(T0 + 150 * MS + THRESHOLD, oldest(T0)));
        assertEquals(Check.SUSPECT, health.check(T0 + 150 * MS + THRESHOLD + 1, oldest(T0)));
    }

    @Test
    void theThresholdIsTwentyMeanLeasesWithinTheFloorAndFourTimesIt() {
        ServerHealth health = detector();
        health.replied(T0, 20 * MS);
        assertEquals(400 * MS, health.threshold());
        health.replied(T0 + MS, 40 * MS); // 20 * 0.95 + 40 * 0.05 = 21 ms
        assertEquals(420 * MS, health.threshold());

        ServerHealth slow = detector();
        slow.replied(T0, 100 * MS); // 20 × 100 ms = 2 s, capped at 4 × 200 ms
        assertEquals(4 * THRESHOLD, slow.threshold());

        ServerHealth fast = detector();
        fast.replied(T0, MS); // 20 ms, raised to the floor
        assertEquals(THRESHOLD, fast.threshold());
    }

    @Test
    void aReplyThatIsNoLeaseLeavesTheMeanLeaseAlone() {
        ServerHealth health = detector();
        health.replied(T0, 20 * MS);
        health.replied(T0 + MS, -1);
        assertEquals(400 * MS, health.threshold());
    }

    @Test
    void theThresholdFollowsTheMeanLeaseWhenJudgingSilence() {
        ServerHealth health = detector();
        health.replied(T0, 20 * MS); // threshold 400 ms
        assertEquals(Check.NONE, health.check(T0 + 400 * MS, oldest(T0)));
        assertEquals(Check.SUSPECT, health.check(T0 + 400 * MS + 1, oldest(T0)));
    }

    @Test
    void aSuspectServerIsProbedAtOnceThenOncePerInterval() {
        ServerHealth health = suspected();
        long s = T0 + THRESHOLD + 1;
        assertEquals(Check.PROBE, health.check(s, oldest(T0)));
        health.probed(s, false);
        assertEquals(Check.NONE, health.check(s + PROBE_INTERVAL - 1, oldest(T0)));
        assertEquals(Check.PROBE, health.check(s + PROBE_INTERVAL, oldest(T0)));
    }

    @Test
    void aProbeStillOutSuppressesNewProbesForTenProbeIntervals() {
        ServerHealth health = suspected();
        long s = T0 + THRESHOLD + 1;
        health.probed(s, true);
        assertEquals(Check.NONE, health.check(s + PROBE_INTERVAL, oldest(T0)));
        assertEquals(Check.NONE, health.check(s + 10 * PROBE_INTERVAL - 1, oldest(T0)));
        assertEquals(Check.PROBE, health.check(s + 10 * PROBE_INTERVAL, oldest(T0)));
    }

    @Test
    void aProbeThatFailedWithoutTimingOutLetsTheNextProbeGoAfterOneInterval() {
        ServerHealth health = suspected();
        long s = T0 + THRESHOLD + 1;
        health.probed(s, true);
        health.probeFailed(s + MS, false);
        assertEquals(Check.NONE, health.check(s + PROBE_INTERVAL - 1, oldest(T0)));
        assertEquals(Check.PROBE, health.check(s + PROBE_INTERVAL, oldest(T0)));
    }

    @Test
    void aLateConnectOutSuppressesProbesForThirtyIntervals() {
        ServerHealth health = suspected();
        long s = T0 + THRESHOLD + 1;
        health.probed(s, true);
        health.probeFailed(s + MS, true); // its connect timed out and may still end
        assertEquals(Check.NONE, health.check(s + PROBE_INTERVAL, oldest(T0)));
        assertEquals(Check.NONE, health.check(s + MS + 15 * PROBE_INTERVAL, oldest(T0)));
        assertEquals(Check.NONE, health.check(s + MS + 30 * PROBE_INTERVAL - 1, oldest(T0)));
        assertEquals(Check.PROBE, health.check(s + MS + 30 * PROBE_INTERVAL, oldest(T0)));
    }

    @Test
    void probesResumeOnceTheLateConnectEnds() {
        ServerHealth health = suspected();
        long s = T0 + THRESHOLD + 1;
        health.probed(s, false);
        health.connectTimedOut(s);
        assertEquals(Check.NONE, health.check(s + PROBE_INTERVAL, oldest(T0)));
        health.lateConnectEnded();
        assertEquals(Check.PROBE, health.check(s + PROBE_INTERVAL + 1, oldest(T0)));
    }

    @Test
    void lateConnectsNeverCountBelowZero() {
        ServerHealth health = suspected();
        long s = T0 + THRESHOLD + 1;
        health.probed(s, false);
        health.lateConnectEnded();
        health.lateConnectEnded();
        health.connectTimedOut(s);
        // had the count gone to -2, one timed-out connect would leave none out
        assertEquals(Check.NONE, health.check(s + PROBE_INTERVAL, oldest(T0)));
    }

    @Test
    void anAnsweredProbeMakesTheServerHealthyAndEndsTheProbe() {
        ServerHealth health = suspected();
        long s = T0 + THRESHOLD + 1;
        health.probed(s, true);
        assertEquals(Health.SUSPECT, health.probeAnswered(s + 10 * MS));
        assertEquals(Health.HEALTHY, health.health());
        assertEquals(s + 10 * MS, health.sinceNanos());
        assertEquals(10 * MS, health.endedSpellNanos(), "suspected from the check to the answer");
        assertEquals(s + 10 * MS, health.lastReplyNanos());
        // no probe is out any more: silence is judged again from the answer
        assertEquals(Check.NONE, health.check(s + 10 * MS + THRESHOLD, oldest(T0)));
        assertEquals(Check.SUSPECT, health.check(s + 10 * MS + THRESHOLD + 1, oldest(T0)));
    }

    @Test
    void aReplyToAHealthyServerReportsNoChange() {
        ServerHealth health = detector();
        assertNull(health.replied(T0 + MS, 5 * MS));
        assertEquals(T0, health.sinceNanos());
    }

    @Test
    void anUnansweredProbeStallsASuspectServer() {
        ServerHealth health = suspected();
        long s = T0 + THRESHOLD + 1;
        health.probed(s, true);
        assertTrue(health.probeUnanswered(s + PROBE_TIMEOUT));
        assertFalse(detector().probeUnanswered(T0 + PROBE_TIMEOUT));
    }

    @Test
    void anUnansweredProbeDoesNotStallWhenThisProcessResumedWithinTheProbeTimeout() {
        ServerHealth health = suspected();
        long resumed = T0 + THRESHOLD + 1 + 1_500 * MS;
        assertEquals(Check.PROBE, health.check(resumed, oldest(T0))); // a pause of 1.5 s
        health.probed(resumed, true);
        assertFalse(health.probeUnanswered(resumed + PROBE_TIMEOUT - 1));
        assertTrue(health.probeUnanswered(resumed + PROBE_TIMEOUT));
    }

    @Test
    void aStallIsCountedOncePerStallAndEndsOnAnyReply() {
        ServerHealth health = suspected();
        assertTrue(health.stall(T0 + 500 * MS));
        assertEquals(Health.STALLED, health.health());
        assertEquals(T0 + 500 * MS, health.sinceNanos());
        assertEquals(1, health.stalls());

        assertFalse(health.stall(T0 + 600 * MS));
        assertEquals(1, health.stalls());
        assertEquals(T0 + 500 * MS, health.sinceNanos());

        assertEquals(Health.STALLED, health.replied(T0 + 700 * MS, 3 * MS));
        assertEquals(Health.HEALTHY, health.health());
        assertTrue(health.stall(T0 + 800 * MS));
        assertEquals(2, health.stalls());
    }

    @Test
    void aStalledServerIsProbedEachInterval() {
        ServerHealth health = suspected();
        long s = T0 + THRESHOLD + 1;
        health.stall(s);
        assertEquals(Check.PROBE, health.check(s, oldest(T0)));
        health.probed(s, false);
        assertEquals(Check.NONE, health.check(s + PROBE_INTERVAL - 1, oldest(T0)));
        assertEquals(Check.PROBE, health.check(s + PROBE_INTERVAL, oldest(T0)));
    }

    @Test
    void aGapOfOverASecondBetweenLooksIsAPause() {
        ServerHealth health = detector();
        assertEquals(0, health.noticePause(T0 + 1_000 * MS));
        assertEquals(1_000 * MS + 1, health.noticePause(T0 + 2_000 * MS + 1));
        assertEquals(0, health.noticePause(T0 + 2_500 * MS));
    }

    @Test
    void aGapOfOverASecondBetweenLooksResetsTheSilence() {
        ServerHealth health = detector();
        assertEquals(Check.NONE, health.check(T0 + 100 * MS, oldest(T0)));
        long resumed = T0 + 100 * MS + 1_500 * MS;
        // silent for 1.6 s with a call in flight since T0, but this process did not run for 1.5 s of it
        assertEquals(Check.NONE, health.check(resumed, oldest(T0)));
        assertEquals(Check.NONE, health.check(resumed + THRESHOLD, oldest(T0)));
        assertEquals(Check.SUSPECT, health.check(resumed + THRESHOLD + 1, oldest(T0)));
    }

    @Test
    void aCallOutlivesTheStatementTimeoutOnlyByTheThreshold() {
        ServerHealth health = detector();
        assertFalse(health.outlivedStatementTimeout(T0 + STATEMENT_TIMEOUT + THRESHOLD, T0));
        assertTrue(health.outlivedStatementTimeout(T0 + STATEMENT_TIMEOUT + THRESHOLD + 1, T0));
        assertFalse(health.outlivedStatementTimeout(T0 + 10 * STATEMENT_TIMEOUT, 0));
    }

    @Test
    void theStatementTimeoutRuleUsesTheConfiguredThresholdNotTheDerivedOne() {
        ServerHealth health = detector();
        health.replied(T0, 100 * MS); // threshold() is 800 ms now
        assertTrue(health.outlivedStatementTimeout(T0 + STATEMENT_TIMEOUT + THRESHOLD + 1, T0));
    }

    @Test
    void withoutAStatementTimeoutNoCallOutlivesIt() {
        ServerHealth health = new ServerHealth(
                new ServerHealth.Settings(THRESHOLD, PROBE_TIMEOUT, PROBE_INTERVAL, 0, 5 * MS), T0);
        assertFalse(health.outlivedStatementTimeout(T0 + 100 * STATEMENT_TIMEOUT, T0));
    }

    @Test
    void aCallOutlivesTheStatementTimeoutCountedFromWhenThisProcessResumed() {
        ServerHealth health = detector();
        long resumed = T0 + 2_000 * MS;
        health.check(resumed, oldest(T0)); // a pause of 2 s
        assertFalse(health.outlivedStatementTimeout(resumed + STATEMENT_TIMEOUT + THRESHOLD, T0));
        assertTrue(health.outlivedStatementTimeout(resumed + STATEMENT_TIMEOUT + THRESHOLD + 1, T0));
    }
}
