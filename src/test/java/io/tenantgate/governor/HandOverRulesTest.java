package io.tenantgate.governor;

import io.tenantgate.governor.HandOverRules.Placement;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TenantStatus;
import io.tenantgate.governor.route.TlsMode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who gets one server's next connection ({@link HandOverRules}), proved on pools built in memory:
 * the neediest waiting tenant first and the least recently served among equals; a tenant over its
 * share by active demand hands over when that evens things out; the quantum rotates only when
 * contenders outnumber the cap; a freed connection lingers for its tenant; and a tenant waits its
 * patience for its own busy connections, but never for a move.
 */
class HandOverRulesTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 1_000_000_000L;
    private static final int QUANTUM = 3;

    private final HandOverRules rules = new HandOverRules(new HandOverRules.Settings(QUANTUM, 20 * MS, 100 * MS));
    private long nextLinkId;

    private static TenantPool pool(String tenant, int maxSize) {
        TenantRoute route = new TenantRoute(tenant, tenant, TenantStatus.ACTIVE, DatabaseKind.POSTGRESQL,
                "db.example", 5432, tenant, tenant, "secret", TlsMode.DISABLED, maxSize);
        return new TenantPool(route, route.identity(), null, maxSize, null, null, null, p -> { }, c -> { });
    }

    /** A pool holding {@code links} connections with {@code queued} requests waiting. */
    private TenantPool pool(String tenant, int links, int queued) {
        TenantPool pool = pool(tenant, 10);
        for (int i = 0; i < links; i++) {
            pool.links.add(new Link(null, ++nextLinkId, pool));
        }
        for (int i = 0; i < queued; i++) {
            pool.queue.add(new TenantPool.Waiter(null));
        }
        return pool;
    }

    // ------------------------------------------------------------------------------------------
    // Waiting

    @Test
    void aTenantWaitsOnlyWhenItWantsMoreThanItHasOrHasComing() {
        TenantPool idle = pool("idle", 0, 0);
        rules.seek(idle);
        assertFalse(rules.isWaiting(idle));
        assertFalse(rules.anyoneWaiting());

        TenantPool covered = pool("covered", 0, 1);
        covered.incoming = 1;
        rules.seek(covered);
        assertFalse(rules.isWaiting(covered));

        TenantPool atMax = pool("atMax", 1);
        atMax.links.add(new Link(null, ++nextLinkId, atMax));
        atMax.queue.add(new TenantPool.Waiter(null));
        rules.seek(atMax);
        assertFalse(rules.isWaiting(atMax));

        TenantPool wanting = pool("wanting", 0, 1);
        rules.seek(wanting);
        assertTrue(rules.isWaiting(wanting));
        assertTrue(rules.anyoneWaiting());
    }

    @Test
    void aTenantRejoinsWhenItHasWorkQueuedEvenIfItsWantIsCovered() {
        TenantPool covered = pool("covered", 1, 1);
        covered.incoming = 1;
        rules.rejoin(covered);
        assertTrue(rules.isWaiting(covered));

        TenantPool empty = pool("empty", 1, 0);
        rules.rejoin(empty);
        assertFalse(rules.isWaiting(empty));
    }

    @Test
    void aTenantStopsWaitingOnlyOnceItsWaitersAreCovered() {
        TenantPool pool = pool("a", 0, 2);
        rules.seek(pool);
        pool.incoming = 1;
        rules.satisfied(pool);
        assertTrue(rules.isWaiting(pool));
        pool.incoming = 2;
        rules.satisfied(pool);
        assertFalse(rules.isWaiting(pool));
    }

    @Test
    void aTenantThatLeavesStopsWaitingWhateverItWants() {
        TenantPool pool = pool("a", 0, 2);
        rules.seek(pool);
        rules.leave(pool);
        assertFalse(rules.isWaiting(pool));
        assertFalse(rules.anyoneWaiting());
    }

    @Test
    void theWantedConnectionsAreTheWaitingTenantsUncoveredWaiters() {
        TenantPool a = pool("a", 0, 3);
        TenantPool b = pool("b", 1, 1);
        TenantPool notWaiting = pool("c", 0, 5);
        rules.seek(a);
        rules.rejoin(b);
        b.incoming = 2; // more coming than it needs: counts as nothing, not as minus one
        assertEquals(3, rules.wanted());
        a.incoming = 1;
        assertEquals(2, rules.wanted());
        assertFalse(rules.isWaiting(notWaiting));
    }

    // ------------------------------------------------------------------------------------------
    // Neediest first

    @Test
    void theNeediestWaitingTenantHoldsTheFewestConnections() {
        TenantPool a = pool("a", 2, 1);
        TenantPool b = pool("b", 1, 1);
        TenantPool c = pool("c", 3, 1);
        rules.seek(a);
        rules.seek(b);
        rules.seek(c);
        assertSame(b, rules.neediest(null));
        assertSame(a, rules.neediest(b));
        assertSame(b, rules.neediest(a));
    }

    @Test
    void connectionsReservedForATenantCountAsHeld() {
        TenantPool a = pool("a", 1, 3);
        TenantPool b = pool("b", 0, 3);
        b.reserved = 2;
        b.incoming = 2;
        rules.seek(a);
        rules.seek(b);
        assertSame(a, rules.neediest(null));
    }

    @Test
    void theLeastRecentlyServedGoesFirstAmongEquals() {
        TenantPool a = pool("a", 1, 1);
        TenantPool b = pool("b", 1, 1);
        a.lastServedNanos = T0 + 2;
        b.lastServedNanos = T0 + 1;
        rules.seek(a);
        rules.seek(b);
        assertSame(b, rules.neediest(null));

        b.lastServedNanos = T0 + 3;
        assertSame(a, rules.neediest(null));
    }

    @Test
    void theLeastRecentlyServedIsJudgedAcrossTheClocksWrap() {
        TenantPool a = pool("a", 1, 1);
        TenantPool b = pool("b", 1, 1);
        a.lastServedNanos = Long.MIN_VALUE + 5; // served after b, the clock having wrapped
        b.lastServedNanos = Long.MAX_VALUE - 5;
        rules.seek(a);
        rules.seek(b);
        assertSame(b, rules.neediest(null));
    }

    @Test
    void noOtherTenantIsNeediestWhenOnlyTheExceptedOneWaits() {
        assertNull(rules.neediest(null));
        TenantPool a = pool("a", 0, 1);
        rules.seek(a);
        assertNull(rules.neediest(a));
        assertTrue(rules.isWaiting(a));
        assertSame(a, rules.neediest(null));
    }

    @Test
    void theNeediestDropsTenantsThatWantNothingAndClosedOnes() {
        TenantPool served = pool("served", 0, 1);
        TenantPool closed = pool("closed", 0, 1);
        TenantPool waiting = pool("waiting", 2, 1);
        rules.seek(served);
        rules.seek(closed);
        rules.seek(waiting);
        served.queue.poll();
        closed.state = TenantPool.State.CLOSED;

        assertSame(waiting, rules.neediest(null));
        assertFalse(rules.isWaiting(served));
        assertFalse(rules.isWaiting(closed));
        assertTrue(rules.isWaiting(waiting));
    }

    @Test
    void theExceptedTenantIsDroppedTooOnceItWantsNothing() {
        TenantPool a = pool("a", 0, 1);
        rules.seek(a);
        a.incoming = 1;
        assertNull(rules.neediest(a));
        assertFalse(rules.isWaiting(a));
        assertFalse(rules.anyoneWaiting());
    }

    // ------------------------------------------------------------------------------------------
    // Placement

    @Test
    void withNobodyElseWaitingTheConnectionServesItsTenantAfreshOrGoesIdle() {
        TenantPool busy = pool("busy", 1, 1);
        TenantPool done = pool("done", 1, 0);
        assertEquals(Placement.OWN_FRESH, rules.place(busy, null, 99, 1, List.of(busy, done)));
        assertEquals(Placement.IDLE, rules.place(done, null, 99, 1, List.of(busy, done)));
    }

    @Test
    void aTenantOverItsShareHandsOverWhenThatEvensThingsOut() {
        TenantPool a = pool("a", 3, 1);
        TenantPool b = pool("b", 1, 1);
        // cap 4, two contenders: a share of 2 each; a holds 3, b 1
        assertEquals(Placement.HAND_OVER, rules.place(a, b, 0, 4, List.of(a, b)));
    }

    @Test
    void aHandOverThatWouldOnlySwapWhoHoldsMoreIsNotMade() {
        TenantPool a = pool("a", 2, 1);
        TenantPool b = pool("b", 1, 1);
        // cap 3, two contenders: a share of 1; a holds 2 over it, but giving b a second only swaps
        assertEquals(Placement.OWN, rules.place(a, b, 0, 3, List.of(a, b)));
    }

    @Test
    void aTenantWithinItsShareKeepsItsConnectionForItsQueue() {
        TenantPool a = pool("a", 2, 1);
        TenantPool b = pool("b", 0, 1);
        // cap 4, two contenders: a share of 2; a holds exactly 2
        assertEquals(Placement.OWN, rules.place(a, b, 0, 4, List.of(a, b)));
    }

    @Test
    void theShareCountsOnlyTenantsWithWorkInFlightOrQueued() {
        TenantPool a = pool("a", 3, 1);
        TenantPool b = pool("b", 0, 1);
        TenantPool idleOnes = pool("c", 2, 0);
        // cap 6: with c idle there are two contenders and a share of 3, which a does not exceed
        assertEquals(Placement.OWN, rules.place(a, b, 0, 6, List.of(a, b, idleOnes)));
        // c leasing one makes three contenders and a share of 2, which a exceeds
        idleOnes.leased = 1;
        assertEquals(Placement.HAND_OVER, rules.place(a, b, 0, 6, List.of(a, b, idleOnes)));
    }

    @Test
    void contendersAreTenantsWithLeasesOrQueuedWork() {
        TenantPool leasing = pool("leasing", 1, 0);
        leasing.leased = 1;
        TenantPool queued = pool("queued", 0, 1);
        TenantPool idle = pool("idle", 3, 0);
        assertEquals(2, HandOverRules.contenders(List.of(leasing, queued, idle)));
        assertEquals(0, HandOverRules.contenders(List.of()));
    }

    @Test
    void theQuantumRotatesOnlyWhenContendersOutnumberTheCap() {
        TenantPool a = pool("a", 1, 1);
        TenantPool b = pool("b", 1, 1);
        TenantPool c = pool("c", 0, 1);
        List<TenantPool> three = List.of(a, b, c);
        // cap 2, three contenders
        assertEquals(Placement.OWN, rules.place(a, c, QUANTUM - 1, 2, three));
        assertEquals(Placement.HAND_OVER, rules.place(a, c, QUANTUM, 2, three));
        // cap 3, three contenders: no rotation however long the connection served a
        assertEquals(Placement.OWN, rules.place(a, c, 100, 3, three));
    }

    @Test
    void aFreedConnectionLingersForItsTenantWhenItHasNothingQueued() {
        TenantPool a = pool("a", 1, 0);
        a.leased = 1;
        TenantPool b = pool("b", 1, 1);
        assertEquals(Placement.LINGER, rules.place(a, b, 0, 4, List.of(a, b)));
    }

    @Test
    void withoutLingerAFreedConnectionWithNothingQueuedIsHandedOver() {
        HandOverRules noLinger = new HandOverRules(new HandOverRules.Settings(QUANTUM, 0, 100 * MS));
        TenantPool a = pool("a", 1, 0);
        TenantPool b = pool("b", 1, 1);
        assertEquals(Placement.HAND_OVER, noLinger.place(a, b, 0, 4, List.of(a, b)));
    }

    @Test
    void theSettingsAreThoseGiven() {
        HandOverRules.Settings settings = new HandOverRules.Settings(5, 7, 9);
        assertSame(settings, new HandOverRules(settings).settings());
    }

    // ------------------------------------------------------------------------------------------
    // Patience

    @Test
    void aTenantWaitsItsPatienceForItsOwnBusyConnectionsFromItsOldestRequest() {
        TenantPool a = pool("a", 1, 0);
        TenantPool.Waiter oldest = new TenantPool.Waiter(null);
        a.queue.add(oldest);
        a.queue.add(new TenantPool.Waiter(null));
        long enqueued = oldest.enqueuedNanos;
        assertEquals(100 * MS, rules.patienceLeft(a, false, enqueued));
        assertEquals(60 * MS, rules.patienceLeft(a, false, enqueued + 40 * MS));
        assertEquals(0, rules.patienceLeft(a, false, enqueued + 100 * MS));
        assertEquals(0, rules.patienceLeft(a, false, enqueued + 150 * MS));
    }

    @Test
    void patienceIsNotSpentOnAMove() {
        TenantPool a = pool("a", 1, 1);
        long enqueued = a.queue.peekFirst().enqueuedNanos;
        assertEquals(0, rules.patienceLeft(a, true, enqueued));
    }

    @Test
    void aTenantWithNoConnectionOfItsOwnHasNothingToWaitFor() {
        TenantPool a = pool("a", 0, 1);
        long enqueued = a.queue.peekFirst().enqueuedNanos;
        assertEquals(0, rules.patienceLeft(a, false, enqueued));
    }

    @Test
    void aTenantWithNothingQueuedHasNoPatienceLeft() {
        TenantPool a = pool("a", 1, 0);
        assertEquals(0, rules.patienceLeft(a, false, T0));
    }

    @Test
    void aPatienceOfZeroTakesTheOtherConnectionAtOnce() {
        HandOverRules impatient = new HandOverRules(new HandOverRules.Settings(QUANTUM, 20 * MS, 0));
        TenantPool a = pool("a", 1, 1);
        long enqueued = a.queue.peekFirst().enqueuedNanos;
        assertEquals(0, impatient.patienceLeft(a, false, enqueued));
    }
}
