package io.tenantgate.governor;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Who gets one server's next connection: the tenants waiting for one, and the decisions that pass
 * a free connection between them. {@link ServerBudget} carries the decisions out.
 *
 * <p><b>Rules.</b>
 * <ul>
 *   <li><b>Neediest first.</b> Among waiting tenants, the one holding the fewest connections gets
 *       the next one; the least recently served among equals (a tenant whose waits time out
 *       rejoins as new, so its place in line would not keep it from starving).</li>
 *   <li><b>Share by active demand.</b> Tenants with work in flight or queued contend; each one's
 *       share is {@code max(1, cap / contenders)}. A tenant over its share hands a freed connection
 *       to the neediest waiting tenant when that evens things out.</li>
 *   <li><b>Quantum.</b> When contenders outnumber the cap, a connection serves its tenant for
 *       {@code handover-quantum} leases, then goes to the neediest waiting tenant.</li>
 *   <li><b>Linger.</b> A freed connection whose tenant has nothing queued stays reserved for it for
 *       {@code handover-linger} before others may take it: its next request is likely one round
 *       trip away, and a hand-over costs a reconnect on PostgreSQL.</li>
 *   <li><b>Patience.</b> A tenant whose own connections are all busy waits up to
 *       {@code handover-patience} for one of them before another tenant's idle connection is
 *       reconnected for it (a move, on MySQL, costs too little to wait for).</li>
 * </ul>
 *
 * <p>Holds no lock and does no I/O: called under the budget's lock, with the time passed in.
 */
final class HandOverRules {

    /** @param lingerNanos 0: no linger; @param patienceNanos 0: no patience */
    record Settings(int quantum, long lingerNanos, long patienceNanos) {
    }

    /** Where a connection that just became free goes. */
    enum Placement {
        /** Nobody else waits: its tenant's next request, with a fresh quantum. */
        OWN_FRESH,
        /** Nobody else waits and its tenant has nothing queued: idle, offered to anyone. */
        IDLE,
        /** To the neediest other waiting tenant. */
        HAND_OVER,
        /** Its tenant's next request, within the quantum. */
        OWN,
        /** Idle but reserved for its tenant for the linger. */
        LINGER
    }

    private final Settings settings;
    /** Tenants waiting for a connection they cannot have yet, oldest first. */
    private final LinkedHashSet<TenantPool> waiting = new LinkedHashSet<>();

    HandOverRules(Settings settings) {
        this.settings = settings;
    }

    Settings settings() {
        return settings;
    }

    /** The tenant wants more connections than it has or has coming: it waits at the server. */
    void seek(TenantPool pool) {
        if (pool.wanted() > 0) {
            waiting.add(pool);
        }
    }

    /** The tenant has work queued and gave its connection away: it waits again. */
    void rejoin(TenantPool pool) {
        if (!pool.queue.isEmpty()) {
            waiting.add(pool);
        }
    }

    /** The tenant's waiters are covered by what is coming to it: it stops waiting. */
    void satisfied(TenantPool pool) {
        if (pool.wanted() <= 0) {
            waiting.remove(pool);
        }
    }

    /** The tenant's queue emptied or it closed. */
    void leave(TenantPool pool) {
        waiting.remove(pool);
    }

    boolean isWaiting(TenantPool pool) {
        return waiting.contains(pool);
    }

    boolean anyoneWaiting() {
        return !waiting.isEmpty();
    }

    /** Connections the waiting tenants could use right now. */
    int wanted() {
        int count = 0;
        for (TenantPool pool : waiting) {
            count += Math.max(0, pool.wanted());
        }
        return count;
    }

    /**
     * The waiting tenant that holds the fewest connections, the least recently served among
     * equals; {@code null} if none other than {@code except} can use one more. Drops tenants that
     * no longer want any.
     */
    TenantPool neediest(TenantPool except) {
        TenantPool best = null;
        int bestHeld = Integer.MAX_VALUE;
        for (Iterator<TenantPool> it = waiting.iterator(); it.hasNext(); ) {
            TenantPool pool = it.next();
            if (pool.wanted() <= 0 || pool.state == TenantPool.State.CLOSED) {
                it.remove();
                continue;
            }
            if (pool == except) {
                continue;
            }
            int held = pool.held();
            if (held < bestHeld || (held == bestHeld && pool.lastServedNanos - best.lastServedNanos < 0)) {
                best = pool;
                bestHeld = held;
            }
        }
        return best;
    }

    /**
     * Where {@code pool}'s freed connection goes, {@code other} being the neediest other waiting
     * tenant (or null), {@code quantumUsed} the leases it served {@code pool} since it got it.
     */
    Placement place(TenantPool pool, TenantPool other, int quantumUsed, int cap, Iterable<TenantPool> pools) {
        if (other == null) {
            return pool.queue.isEmpty() ? Placement.IDLE : Placement.OWN_FRESH;
        }
        int contenders = contenders(pools);
        int share = Math.max(1, cap / Math.max(1, contenders));
        // Over its share, and the hand-over evens things out: a 2-holder giving to a 1-holder would
        // only swap who holds two (when the cap does not divide evenly), at a reconnect's cost.
        boolean overShare = pool.held() > share && other.held() + 1 < pool.held();
        boolean rotate = contenders > cap && quantumUsed >= settings.quantum();
        if (overShare || rotate) {
            return Placement.HAND_OVER;
        }
        if (!pool.queue.isEmpty()) {
            return Placement.OWN;
        }
        return settings.lingerNanos() > 0 ? Placement.LINGER : Placement.HAND_OVER;
    }

    /** Tenants with work in flight or queued: active demand, not idle connections. */
    static int contenders(Iterable<TenantPool> pools) {
        int contenders = 0;
        for (TenantPool pool : pools) {
            if (pool.leased > 0 || !pool.queue.isEmpty()) {
                contenders++;
            }
        }
        return contenders;
    }

    /**
     * How much longer {@code pool} should wait for one of its own busy connections rather than take
     * another tenant's idle one by a reconnect; 0: take it now ({@code movable}: it would be a move).
     */
    long patienceLeft(TenantPool pool, boolean movable, long now) {
        TenantPool.Waiter oldest = pool.queue.peekFirst();
        if (settings.patienceNanos() <= 0 || pool.links.isEmpty() || oldest == null || movable) {
            return 0;
        }
        return Math.max(0, oldest.enqueuedNanos + settings.patienceNanos() - now);
    }
}
