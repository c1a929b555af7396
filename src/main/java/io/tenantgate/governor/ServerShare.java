package io.tenantgate.governor;

/**
 * How many connections this instance may hold to one server: its share of the server's budget.
 *
 * <p><b>Rule.</b> Without replica leases the share is the configured one, lowered once to what the
 * server allows if derived from it. With leases, it is the share granted by the last successful
 * renewal while that is recent, then the guaranteed minimum ({@code floor}), then nothing: judged
 * by this instance's own monotonic clock at every decision, so a replica that cannot renew never
 * connects beyond what the others still count as its own, even before a timer has noticed. It also
 * keeps the peak demand since the last renewal read it, which the renewal publishes.
 *
 * <p>Holds no lock and does no I/O: {@link ServerBudget} calls it under its own lock with the time.
 */
final class ServerShare {

    private final boolean leased;
    /** The share: all of the budget while leases are off; the granted share with leases. */
    private int share;
    private boolean derived;
    /** The budget of all replicas together (configured, or lower where derived from the server). */
    private int fleetBudget;
    /** The guaranteed minimum, kept while renewals fail, until {@link #floorUntilNanos}. */
    private int floor;
    private long fullUntilNanos;
    private long floorUntilNanos;
    /** The most connections in use or wanted since the last renewal read it: this replica's demand. */
    private int demandPeak;

    /**
     * @param budget the configured budget: this instance's share without leases, the budget of all
     *               replicas together with them (then the share starts at zero)
     */
    ServerShare(int budget, boolean leased) {
        if (budget < 0) {
            throw new IllegalArgumentException("a budget must not be negative");
        }
        this.leased = leased;
        this.fleetBudget = budget;
        this.share = leased ? 0 : budget;
    }

    boolean leased() {
        return leased;
    }

    /** The limit in force at {@code now}: the share, the minimum, or nothing (see the class comment). */
    int cap(long now) {
        if (!leased || now - fullUntilNanos < 0) {
            return share;
        }
        return now - floorUntilNanos < 0 ? Math.min(share, floor) : 0;
    }

    /**
     * A renewal sent at {@code sentNanos} granted {@code share} for {@code fullForNanos} after it,
     * then {@code floor} until {@code floorForNanos} after it.
     */
    void grant(int share, int floor, long sentNanos, long fullForNanos, long floorForNanos) {
        this.share = Math.max(0, share);
        this.floor = Math.max(0, floor);
        this.fullUntilNanos = sentNanos + fullForNanos;
        this.floorUntilNanos = sentNanos + floorForNanos;
    }

    /**
     * Lowers the budget to what the server allows, once: the share without leases, the budget all
     * replicas split with them (the next renewal splits it). False if it was derived already.
     */
    boolean derive(int serverAllows) {
        if (derived) {
            return false;
        }
        derived = true;
        if (leased) {
            fleetBudget = Math.max(0, Math.min(fleetBudget, serverAllows));
        } else {
            share = Math.max(0, Math.min(share, serverAllows));
        }
        return true;
    }

    boolean derived() {
        return derived;
    }

    /** The share granted (or configured), whether or not it is in force now. */
    int share() {
        return share;
    }

    /** The minimum kept while renewals fail. */
    int floor() {
        return Math.min(share, floor);
    }

    int fleetBudget() {
        return fleetBudget;
    }

    /** Demand seen now: the peak since the last renewal grows to it. */
    void demand(int now) {
        demandPeak = Math.max(demandPeak, now);
    }

    /** The peak demand since the last renewal read it, {@code now} included. */
    int demandPeak(int now) {
        return Math.max(demandPeak, now);
    }

    /** A renewal read the demand: the peak starts over from what is wanted now. */
    void demandPublished(int now) {
        demandPeak = now;
    }
}
