package io.tenantgate.governor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The arithmetic of one renewal (see {@link ReplicaLeases}): from the lease table as read and this
 * replica's own budgets, the share it may hold of each server and what it publishes. Pure, so the
 * rules are stated once and tested without a registry.
 *
 * <p>For each server:
 * <ul>
 *   <li><b>budget</b>: the lowest of this replica's and the live replicas' published budgets (a
 *       budget derived from the server on one replica caps them all);</li>
 *   <li><b>floor</b>: {@code budget / max(max-replicas, live replicas)};</li>
 *   <li><b>committed</b> by the others: a live lease's published share; an expired one's
 *       {@code min(share, floor)} until {@code horizon + margin}; then nothing;</li>
 *   <li><b>target</b>: the budget split by demand among the live replicas that use the server
 *       (max-min fairness: replicas are served in order of demand, each getting the smaller of its
 *       demand and an equal part of what is left; ties in replica-id order), plus a part of what
 *       demand leaves over: {@code leftover / (n + 1)} each, so a replica that wants more, or one
 *       that starts, finds room at once, without waiting for anyone to shrink. With demand on every
 *       replica above its equal part, the targets are the equal split and sum to the budget;</li>
 *   <li><b>share</b> = {@code min(target, budget - committed)}: never more than the others leave.
 *       While no other live replica wants more than it holds, a replica keeps its current share
 *       when that is above its target: shares move when someone is short, not on every dip of
 *       demand (which would close connections only to open them again);</li>
 *   <li><b>published</b> = {@code max(share, permits held)}: while connections above a smaller
 *       share are still closing, the others go on counting them.</li>
 * </ul>
 */
final class LeaseShares {

    private LeaseShares() {
    }

    /**
     * One server's entry in a lease row. {@code active}: its replica uses the server and wants a
     * share; {@code demand}: the most connections it had in use or wanted since its previous renewal.
     */
    record Claim(int share, int floor, int budget, boolean active, int demand) {
    }

    /** A lease row as read: its age on the registry's clock. */
    record Lease(String replicaId, long ageNanos, Map<String, Claim> claims) {
    }

    /**
     * What this replica takes and publishes for one server. {@code publishedByOthers}: the shares
     * the other live replicas published, what the fleet holds besides this replica.
     */
    record Plan(int share, int floor, int budget, int published, int committedByOthers, int publishedByOthers) {
    }

    static Map<String, Plan> plan(String me, List<Lease> table, Map<String, ServerBudget.LeaseView> mine,
                                  int maxReplicas, long expiredAfterNanos, long goneAfterNanos) {
        List<Lease> others = new ArrayList<>();
        for (Lease lease : table) {
            if (!lease.replicaId().equals(me) && lease.ageNanos() <= goneAfterNanos) {
                others.add(lease);
            }
        }
        int live = live(me, table, expiredAfterNanos);
        Map<String, Plan> plans = new HashMap<>();
        for (Map.Entry<String, ServerBudget.LeaseView> entry : mine.entrySet()) {
            String server = entry.getKey();
            ServerBudget.LeaseView view = entry.getValue();
            int budget = view.fleetBudget();
            int committed = 0;
            int publishedByOthers = 0;
            Map<String, Integer> demands = new HashMap<>();
            if (view.inUse()) {
                demands.put(me, view.demand());
            }
            for (Lease other : others) {
                Claim claim = other.claims().get(server);
                if (claim == null) {
                    continue;
                }
                boolean fresh = other.ageNanos() <= expiredAfterNanos;
                if (fresh) {
                    publishedByOthers += claim.share();
                    budget = Math.min(budget, claim.budget());
                    if (claim.active()) {
                        demands.put(other.replicaId(), claim.demand());
                    }
                }
                committed += fresh ? claim.share() : Math.min(claim.share(), claim.floor());
            }
            int floor = budget / Math.max(maxReplicas, live);
            int share = 0;
            if (view.inUse()) {
                // Keep what is held while no other replica is short of its demand: shrinking for
                // room nobody asks for would only close connections to open them again.
                int keep = othersShort(me, others, server, expiredAfterNanos) ? 0 : view.share();
                share = Math.max(0, Math.min(Math.max(target(me, demands, budget), keep), budget - committed));
            }
            plans.put(server, new Plan(share, Math.min(floor, share), budget, Math.max(share, view.permits()), committed,
                    publishedByOthers));
        }
        return plans;
    }

    /**
     * This replica's target: its max-min fair part of the budget by demand, plus its part of the
     * leftover. Every replica computes the same allocation from the same table.
     */
    static int target(String me, Map<String, Integer> demands, int budget) {
        List<Map.Entry<String, Integer>> order = new ArrayList<>(demands.entrySet());
        order.sort(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
        int remaining = budget;
        Integer mine = null;
        for (int i = 0; i < order.size(); i++) {
            int left = order.size() - i;
            int demand = Math.max(0, order.get(i).getValue());
            if (demand >= remaining / left) {
                if (mine != null) {
                    return mine; // the rest want at least equal parts: they take all that is left
                }
                // Everyone from here on wants at least an equal part: equal parts, the remainder one
                // each in replica-id order (stable while demands move, so shares do not flap).
                List<String> saturated = new ArrayList<>();
                order.subList(i, order.size()).forEach(e -> saturated.add(e.getKey()));
                saturated.sort(null);
                int rank = saturated.indexOf(me);
                return rank < 0 ? 0 : remaining / left + (rank < remaining % left ? 1 : 0);
            }
            remaining -= demand;
            if (order.get(i).getKey().equals(me)) {
                mine = demand;
            }
        }
        // Demand leaves some over: a part of it each, the rest free for a replica that starts.
        return mine == null ? 0 : mine + remaining / (order.size() + 1);
    }

    /** A live replica using the server wants more than its share (a new one wants anything at all). */
    private static boolean othersShort(String me, List<Lease> others, String server, long expiredAfterNanos) {
        for (Lease other : others) {
            Claim claim = other.claims().get(server);
            if (claim != null && claim.active() && other.ageNanos() <= expiredAfterNanos
                    && claim.demand() > claim.share()) {
                return true;
            }
        }
        return false;
    }

    /** Live leases (this replica's included) in a table as read. */
    static int live(String me, List<Lease> table, long expiredAfterNanos) {
        int live = 1;
        for (Lease lease : table) {
            if (!lease.replicaId().equals(me) && lease.ageNanos() <= expiredAfterNanos) {
                live++;
            }
        }
        return live;
    }
}
