package io.tenantgate.governor;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The share arithmetic of one lease renewal ({@link LeaseShares}): shares never add up past a
 * budget however the table stands, split equally among the replicas that use a server, and an
 * expired lease keeps its floor until the horizon. The protocol end to end, on packaged replicas
 * and real servers, is {@code ReplicaLeasesIT}.
 */
class LeaseSharesTest {

    private static final String SERVER = "db:3306";
    private static final long TTL = 10_000, GONE = 100_000; // "nanos", as the renewal passes them

    /** This replica, with more demand than any share (unless said otherwise). */
    private static ServerBudget.LeaseView mine(int share, int permits, int budget) {
        return mine(share, permits, budget, 100);
    }

    private static ServerBudget.LeaseView mine(int share, int permits, int budget, int demand) {
        return new ServerBudget.LeaseView(share, share, 0, permits, budget, true, demand);
    }

    private static LeaseShares.Lease lease(String id, long age, int share, int floor) {
        return lease(id, age, share, floor, 100);
    }

    private static LeaseShares.Lease lease(String id, long age, int share, int floor, int demand) {
        return new LeaseShares.Lease(id, age, Map.of(SERVER, new LeaseShares.Claim(share, floor, 40, true, demand)));
    }

    private static LeaseShares.Plan plan(List<LeaseShares.Lease> table, ServerBudget.LeaseView mine) {
        return LeaseShares.plan("b", table, Map.of(SERVER, mine), 5, TTL, GONE).get(SERVER);
    }

    @Test
    void threeLiveReplicasShareTheWholeBudgetTheRemainderGoingByReplicaId() {
        List<LeaseShares.Lease> table = List.of(lease("a", 1, 14, 8), lease("c", 1, 13, 8));
        LeaseShares.Plan plan = plan(table, mine(13, 13, 40));
        assertEquals(13, plan.share(), "b is second of a, b, c: 40 = 14 + 13 + 13");
        assertEquals(8, plan.floor(), "floor(40 / max(5 max-replicas, 3 live))");
    }

    @Test
    void aNewReplicaGetsOnlyWhatTheOthersHavePublishedAsFree() {
        List<LeaseShares.Lease> table = List.of(lease("a", 1, 20, 8), lease("c", 1, 20, 8));
        LeaseShares.Plan plan = plan(table, mine(0, 0, 40));
        assertEquals(0, plan.share(), "a and c still publish 20 each and want more: nothing is free yet");
        LeaseShares.Plan later = plan(List.of(lease("a", 1, 14, 8), lease("c", 1, 13, 8)), mine(0, 0, 40));
        assertEquals(13, later.share(), "after they shrank, its equal part");
    }

    @Test
    void sharesFollowDemandAndWhatDemandLeavesIsPartlyLeftFreeForNewcomers() {
        // a is idle (demand 0), b has 6 connections in use: b gets its 6 and a third of the 34 left.
        LeaseShares.Plan plan = plan(List.of(lease("a", 1, 11, 8, 0)), mine(0, 0, 40, 6));
        assertEquals(6 + 34 / 3, plan.share());
        assertEquals(11, LeaseShares.target("a", Map.of("a", 0, "b", 6), 40), "a keeps a third of the leftover");
        assertEquals(12, 40 - plan.share() - LeaseShares.target("a", Map.of("a", 0, "b", 6), 40),
                "and 12 are free for a replica that starts");
        assertEquals(20, LeaseShares.target("a", Map.of("a", 30, "b", 25), 40), "both want more than half: halves");
        assertEquals(31, LeaseShares.target("a", Map.of("a", 30, "b", 5), 40),
                "b wants 5: a gets the 30 it wants and a third of the 5 left over");
    }

    @Test
    void aReplicaKeepsItsShareThroughADipInDemandUnlessAnotherIsShort() {
        // b holds 30 of 40 and its demand dipped to 10; a (idle, holding 5) wants nothing more.
        assertEquals(30, plan(List.of(lease("a", 1, 5, 8, 0)), mine(30, 30, 40, 10)).share(),
                "nobody is short: b keeps its 30 rather than closing connections it will open again");
        // Now a wants 20 and holds 5: b gives up what its target does not cover.
        LeaseShares.Plan shared = plan(List.of(lease("a", 1, 5, 8, 20)), mine(30, 30, 40, 10));
        assertEquals(10 + (40 - 30) / 3, shared.share(), "a is short: b shrinks to its part by demand");
    }

    @Test
    void aShrinkingReplicaPublishesWhatItStillHoldsUntilTheExcessHasClosed() {
        List<LeaseShares.Lease> table = List.of(lease("a", 1, 10, 8), lease("c", 1, 10, 8), lease("d", 1, 0, 0));
        LeaseShares.Plan plan = plan(table, mine(20, 17, 40));
        assertEquals(10, plan.share(), "four replicas want it: 40 / 4");
        assertEquals(17, plan.published(), "17 permits are still held, so 17 is what the others must count");
    }

    @Test
    void anExpiredLeaseKeepsItsFloorUntilTheHorizonThenNothing() {
        ServerBudget.LeaseView mine = mine(20, 20, 40);
        LeaseShares.Plan live = plan(List.of(lease("a", 1, 20, 8)), mine);
        assertEquals(20, live.share(), "a is live and holds 20");
        assertEquals(20, live.publishedByOthers(), "a's published share is what the fleet holds besides b");
        LeaseShares.Plan expired = plan(List.of(lease("a", TTL + 1, 20, 8)), mine);
        assertEquals(8, expired.committedByOthers(), "an expired lease still counts its floor of 8");
        assertEquals(0, expired.publishedByOthers(), "an expired lease publishes nothing the fleet can count as held");
        assertEquals(32, expired.share(), "b alone is live: all but a's floor");
        assertEquals(40, plan(List.of(lease("a", GONE + 1, 20, 8)), mine).share(), "past the horizon a counts for nothing");
    }

    @Test
    void sharesNeverExceedTheBudgetWhenTheTableIsOverCommittedAlready() {
        // A replica that rejoined published the permits it had not yet seen closed.
        List<LeaseShares.Lease> table = List.of(lease("a", 1, 30, 8), lease("c", 1, 15, 8));
        assertEquals(0, plan(table, mine(5, 5, 40)).share(), "no room: it takes nothing, whatever its target");
    }

    @Test
    void theLowestBudgetPublishedByALiveReplicaCapsEveryone() {
        List<LeaseShares.Lease> table = List.of(new LeaseShares.Lease("a", 1,
                Map.of(SERVER, new LeaseShares.Claim(10, 5, 20, true, 100))));
        LeaseShares.Plan plan = plan(table, mine(0, 0, 40));
        assertEquals(20, plan.budget(), "a derived 20 from the server's max_connections");
        assertEquals(10, plan.share(), "b's equal part of 20");
    }
}
