package io.tenantgate.governor;

import io.vertx.sqlclient.Pool;

/**
 * The budget permits one tenant pool holds, and how they come back.
 *
 * <p>Vert.x opens a pool's connections through a supplier we control (so a permit is taken before
 * every connect) but closes them without telling anyone (idle timeout, broken connection, pool
 * close). So permits are reconciled: every {@value #RECONCILE_MILLIS} ms the permits held are
 * compared with the connections the pool accounts for. Vert.x counts a connection in
 * {@link Pool#size()} from the moment it decides to open it (before our supplier runs) until it is
 * removed, so the connections that hold a permit are {@code size - pending}, where {@code pending}
 * counts connects still waiting for a permit.
 *
 * <p>Invariants:
 * <ul>
 *   <li>A permit is released only after the surplus {@code granted - (size - pending)} has been seen
 *       by every reconciliation for {@code tenantgate.budget.release-grace}. A surplus that is an
 *       artefact of reading three counters at slightly different moments does not last that long,
 *       and the grace lets the server finish tearing the old connection down: a client sees its
 *       connection closed before the server has let go of it (a PostgreSQL backend counts against
 *       connection limits until its process has exited; a killed MariaDB thread until it ends), so
 *       a permit released at once could let the next connect be refused by the server.</li>
 *   <li>The errors of this scheme only ever delay a release; they never release a permit whose
 *       connection may still be open, so the server budget holds.</li>
 *   <li>A closing pool holds all its permits until its close completes; a closed pool accounts for
 *       no connection: all its permits come back, then it is dropped.</li>
 *   <li>Reconciliation is the only path by which a pooled connection's permit returns. (A second,
 *       faster path for connections the governor retires itself raced with it and released some
 *       permits twice; the databases' own limits caught it in the fairness test.)</li>
 * </ul>
 */
final class PoolAccount {

    static final long RECONCILE_MILLIS = 100;

    private final String tenant;
    private final ServerBudget budget;
    private volatile Pool pool;
    private volatile boolean closing;
    private long closingSinceNanos;
    /** A close that has not completed by then is assumed done (logged), so permits cannot be lost. */
    private static final long CLOSE_COMPLETION_LIMIT_NANOS = 60_000_000_000L;
    private volatile boolean closed;
    private int granted;
    private int pending;
    /** Surplus seen by the last {@code grace} reconciliations, oldest first; a permit leaves only
     *  when every one of them saw it. */
    private final int[] recentSurplus;
    private int next;
    private int inUse;
    private int admitted;
    private boolean reaping;

    PoolAccount(String tenant, ServerBudget budget, int graceTicks) {
        this.tenant = tenant;
        this.budget = budget;
        this.recentSurplus = new int[Math.max(1, graceTicks)];
    }

    void attach(Pool pool) {
        this.pool = pool;
    }

    String tenant() {
        return tenant;
    }

    ServerBudget budget() {
        return budget;
    }

    synchronized int granted() {
        return granted;
    }

    synchronized void permitRequested() {
        pending++;
    }

    /** Pending falls before granted rises, so a concurrent reading can only under-count the surplus. */
    synchronized void permitGranted() {
        pending--;
        granted++;
    }

    synchronized void permitRefused() {
        pending--;
    }

    /** Set when the pool starts closing; connects that get a permit afterwards give it back. */
    synchronized void closing() {
        if (!closing) {
            closing = true;
            closingSinceNanos = System.nanoTime();
        }
    }

    /**
     * Starts closing only if no admitted work remains, atomically with {@link #tryAdmit()}, so no
     * request can slip into a pool that is about to close.
     */
    synchronized boolean tryBeginClose() {
        if (admitted > 0) {
            return false;
        }
        closing();
        return true;
    }

    /** Admits work unless the pool is closing; see {@link #tryBeginClose()}. */
    synchronized boolean tryAdmit() {
        if (closing) {
            return false;
        }
        admitted++;
        return true;
    }

    boolean isClosing() {
        return closing;
    }

    synchronized void closed() {
        closing();
        closed = true;
    }

    synchronized void finished() {
        admitted--;
    }

    synchronized int admittedWork() {
        return admitted;
    }

    /** Released permits no longer count as surplus in the remembered observations. */
    private void forgetReleased(int released) {
        for (int i = 0; i < recentSurplus.length; i++) {
            recentSurplus[i] = Math.max(0, recentSurplus[i] - released);
        }
    }

    synchronized void borrowed() {
        inUse++;
    }

    synchronized void returned() {
        inUse--;
    }

    synchronized int inUse() {
        return inUse;
    }

    /**
     * Starts reaping one idle connection if the pool seems to have one and no reap is under way.
     * The estimate may be stale; a wrong guess costs one short wait or one extra connect, no more.
     */
    synchronized boolean startReap() {
        if (reaping || closed || pool == null) {
            return false;
        }
        int idle = pool.size() - pending - inUse;
        if (idle <= 0) {
            return false;
        }
        reaping = true;
        return true;
    }

    /**
     * Set while a reap asks its pool for a connection. A connect the pool starts synchronously inside
     * that call was started for the reap, which must not queue for the permit it means to free.
     * Only the reap's own call is marked: a tenant's request connecting while its pool is being
     * reaped still waits for a permit as usual (marking the whole reap made FairShareTest's quiet
     * tenants fail at once with server-budget-exhausted).
     */
    static final ThreadLocal<PoolAccount> REAP_CONNECT = new ThreadLocal<>();

    boolean isReapConnect() {
        return REAP_CONNECT.get() == this;
    }

    synchronized void reapDone() {
        reaping = false;
    }

    /**
     * Releases permits whose connections are gone. Returns {@code true} once a closed pool holds
     * nothing, so it can be dropped.
     */
    boolean reconcile() {
        int release;
        synchronized (this) {
            // pending is read before size: a connect that starts in between makes size larger, which
            // can only hide a surplus, never invent one.
            int waiting = pending;
            int accounted;
            if (closed || pool == null) {
                accounted = 0;
            } else if (closing && System.nanoTime() - closingSinceNanos < CLOSE_COMPLETION_LIMIT_NANOS) {
                // Vert.x zeroes size() as soon as close starts, but sockets stay open until the
                // close completes (in-flight connects and queries first): hold every permit till then.
                accounted = granted;
            } else {
                accounted = Math.max(0, pool.size() - waiting);
            }
            int surplus = Math.max(0, granted - accounted);
            release = surplus;
            for (int seen : recentSurplus) {
                release = Math.min(release, seen);
            }
            granted -= release;
            forgetReleased(release);
            recentSurplus[next] = surplus - release;
            next = (next + 1) % recentSurplus.length;
        }
        budget.release(tenant, release);
        synchronized (this) {
            return closed && granted == 0 && pending == 0;
        }
    }
}
