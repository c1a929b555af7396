package io.tenantgate.governor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The share rules of one server ({@link ServerShare}), proved by exact limits at times the test
 * chooses: without leases the share is the configured budget, lowered once where derived from the
 * server; with leases it is the granted share while recent, then the floor, then nothing; and the
 * demand peak is kept until a renewal publishes it.
 */
class ServerShareTest {

    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_000_000_000L;

    @Test
    void aNegativeBudgetIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ServerShare(-1, false));
        assertThrows(IllegalArgumentException.class, () -> new ServerShare(-1, true));
    }

    @Test
    void withoutLeasesTheShareIsTheConfiguredBudgetAtAnyTime() {
        ServerShare share = new ServerShare(10, false);
        assertFalse(share.leased());
        assertEquals(10, share.share());
        assertEquals(10, share.fleetBudget());
        assertEquals(10, share.cap(T0));
        assertEquals(10, share.cap(T0 + 3_600 * S));
        assertEquals(0, share.floor());
        assertFalse(share.derived());
    }

    @Test
    void withLeasesTheShareStartsAtNothing() {
        ServerShare share = new ServerShare(10, true);
        assertTrue(share.leased());
        assertEquals(0, share.share());
        assertEquals(10, share.fleetBudget());
        assertEquals(0, share.cap(T0));
        assertEquals(0, share.floor());
    }

    @Test
    void aLeasedShareFallsToTheFloorThenToNothingWhenRenewalsStop() {
        ServerShare share = new ServerShare(10, true);
        share.grant(5, 2, T0, 10 * S, 30 * S);
        assertEquals(5, share.cap(T0));
        assertEquals(5, share.cap(T0 + 10 * S - 1));
        assertEquals(2, share.cap(T0 + 10 * S));
        assertEquals(2, share.cap(T0 + 30 * S - 1));
        assertEquals(0, share.cap(T0 + 30 * S));
        // the grant itself is still known, whether or not in force
        assertEquals(5, share.share());
        assertEquals(2, share.floor());
    }

    @Test
    void aRenewalRestoresTheGrantedShare() {
        ServerShare share = new ServerShare(10, true);
        share.grant(5, 2, T0, 10 * S, 30 * S);
        assertEquals(0, share.cap(T0 + 40 * S));
        share.grant(4, 1, T0 + 40 * S, 10 * S, 30 * S);
        assertEquals(4, share.cap(T0 + 40 * S));
        assertEquals(1, share.cap(T0 + 50 * S));
    }

    @Test
    void theFloorNeverExceedsTheShare() {
        ServerShare share = new ServerShare(10, true);
        share.grant(3, 5, T0, 10 * S, 30 * S);
        assertEquals(3, share.floor());
        assertEquals(3, share.cap(T0 + 20 * S));
    }

    @Test
    void aNegativeGrantCountsAsNothing() {
        ServerShare share = new ServerShare(10, true);
        share.grant(-3, -1, T0, 10 * S, 30 * S);
        assertEquals(0, share.share());
        assertEquals(0, share.floor());
        assertEquals(0, share.cap(T0));
        assertEquals(0, share.cap(T0 + 20 * S));
    }

    @Test
    void aGrantSpanningTheClocksWrapStillHolds() {
        ServerShare share = new ServerShare(10, true);
        long sent = Long.MAX_VALUE - 5 * S;
        share.grant(5, 2, sent, 10 * S, 30 * S); // both ends wrap past Long.MAX_VALUE
        assertEquals(5, share.cap(Long.MAX_VALUE));
        assertEquals(5, share.cap(sent + 10 * S - 1));
        assertEquals(2, share.cap(sent + 10 * S));
        assertEquals(0, share.cap(sent + 30 * S));
    }

    @Test
    void theLeasesAreIgnoredWithoutLeasing() {
        ServerShare share = new ServerShare(10, false);
        share.grant(3, 1, T0, 10 * S, 30 * S);
        assertEquals(3, share.cap(T0 + 60 * S)); // the share is in force whatever the time
    }

    @Test
    void withoutLeasesDerivingLowersTheShareOnlyOnce() {
        ServerShare share = new ServerShare(10, false);
        assertTrue(share.derive(6));
        assertTrue(share.derived());
        assertEquals(6, share.share());
        assertEquals(6, share.cap(T0));

        assertFalse(share.derive(3));
        assertEquals(6, share.share());
        assertEquals(6, share.cap(T0));
    }

    @Test
    void derivingNeverRaisesTheBudgetNorMakesItNegative() {
        ServerShare higher = new ServerShare(10, false);
        assertTrue(higher.derive(20));
        assertEquals(10, higher.share());

        ServerShare negative = new ServerShare(10, false);
        assertTrue(negative.derive(-1));
        assertEquals(0, negative.share());

        ServerShare leased = new ServerShare(10, true);
        assertTrue(leased.derive(-1));
        assertEquals(0, leased.fleetBudget());
    }

    @Test
    void withLeasesDerivingLowersTheFleetBudgetOnlyOnceAndLeavesTheShare() {
        ServerShare share = new ServerShare(10, true);
        share.grant(5, 2, T0, 10 * S, 30 * S);
        assertTrue(share.derive(6));
        assertTrue(share.derived());
        assertEquals(6, share.fleetBudget());
        assertEquals(5, share.share());
        assertEquals(5, share.cap(T0));

        assertFalse(share.derive(3));
        assertEquals(6, share.fleetBudget());
    }

    @Test
    void theDemandPeakIsTheMostSeenSinceTheLastRenewalReadIt() {
        ServerShare share = new ServerShare(10, true);
        assertEquals(0, share.demandPeak(0));
        share.demand(3);
        share.demand(1);
        assertEquals(3, share.demandPeak(0));
        assertEquals(5, share.demandPeak(5)); // now counts, but is not kept
        assertEquals(3, share.demandPeak(0));

        share.demandPublished(2);
        assertEquals(2, share.demandPeak(0));
        share.demand(1);
        assertEquals(2, share.demandPeak(1));
        share.demand(4);
        assertEquals(4, share.demandPeak(0));
    }
}
