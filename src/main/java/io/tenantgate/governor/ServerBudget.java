package io.tenantgate.governor;

import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.platform.failure.ConnectTimeout;
import io.tenantgate.platform.failure.GovernorRejection;
import io.tenantgate.platform.observability.StatementLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlConnection;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One database server ({@code host:port}): its connection budget, and every connection the
 * governor holds to it, whichever tenant they serve. It decides who gets the server's next
 * connection; tenant pools ({@link TenantPool}) queue their requests here.
 *
 * <p><b>Invariants</b> (each has a test named after it):
 * <ul>
 *   <li><b>Budget.</b> {@code permits <= limit} at every moment. A permit is taken before a connect
 *       starts and given back exactly once, after the connection's close is observed (local or
 *       peer close) plus the teardown allowance ({@code tenantgate.budget.release-grace}): a server
 *       counts a connection until it has torn it down, which lags the client's view.</li>
 *   <li><b>Fair share by active demand.</b> Tenants with work in flight or queued are the
 *       contenders; holders of idle connections are not. Each contender's share is
 *       {@code max(1, limit / contenders)}: max-min fairness with a guaranteed minimum of one
 *       connection per active tenant. A freed or idle connection goes to the waiting tenant that
 *       holds the fewest, the longest-waiting first among equals. A tenant above its share does not
 *       get its next connection while others wait; a busy connection is never taken away.</li>
 *   <li><b>Hand over in batches.</b> A connection serves its tenant's queue for up to
 *       {@code tenantgate.pool.handover-quantum} leases while others wait (as long as it likes when
 *       nobody does, and without limit while the tenant is within its share), then goes to the
 *       neediest waiting tenant: one hand-over serves many requests, and a tenant never yields to
 *       its own refill. Idle connections of any tenant are the first to go when someone waits;
 *       a tenant whose own connections are all busy waits {@code handover-patience} for one of
 *       them before an idle one of another tenant is reconnected for it.</li>
 *   <li><b>Move, don't reconnect.</b> On MySQL/MariaDB a connection changes tenant with
 *       {@code changeUser} (see {@link Connector#move}) when both tenants use the same TLS mode; on
 *       PostgreSQL, or when a move fails, it is closed, and its permit passes straight to the
 *       receiving tenant's connect, so nobody can take it in between.</li>
 *   <li><b>Bounded waits.</b> Every queued request ends: served, or failed at its acquire timeout
 *       with {@code acquire-timeout} (its own connections stayed busy) or
 *       {@code server-budget-exhausted} (it waited for the server's budget).</li>
 * </ul>
 *
 * <p><b>Concurrency.</b> One monitor guards every field of this server, its tenant pools' queues
 * and connections, and every state transition of a {@link Link} on it: each transition is one step
 * under the lock. No I/O and no callback runs under it: work decided under the lock is collected
 * and started after it is released ({@link Actions}). Housekeeping is proportional to activity:
 * idle expiry walks the idle connections oldest first and stops at the first one still young.
 */
public final class ServerBudget {

    private static final Logger LOG = Logger.getLogger(ServerBudget.class);

    /** How this server's connections are scheduled; derived from configuration. */
    record Settings(int quantum, long lingerMillis, long teardownMillis, long idleTimeoutNanos, long maxLifetimeNanos,
                    long acquireTimeoutMillis, int maxWaitQueue, long stallThresholdNanos, long probeTimeoutMillis,
                    long probeIntervalNanos, long statementTimeoutNanos, long stalledAnswerDelayMillis,
                    long patienceNanos) {
    }

    /**
     * Whether the server answers. HEALTHY ──calls in flight, no reply for the stall threshold──▶
     * SUSPECT (one probe runs) ──probe answers──▶ HEALTHY; ──probe gets no answer in time──▶ STALLED
     * (every request fails fast; one probe at a time, every probe interval) ──any reply──▶ HEALTHY.
     */
    public enum Health { HEALTHY, SUSPECT, STALLED }

    private final String server;
    private final Vertx vertx;
    private final Connector connector;
    private final Settings settings;
    /** This instance's share: all of it while leases are off; with leases see {@link #cap}. */
    private int limit;
    private boolean derived;

    // Set by the lease protocol (ReplicaLeases): the share is in force only while the last renewal is recent.
    private final boolean leased;
    /** The budget of all replicas together (configured, or lower where derived from the server). */
    private int fleetBudget;
    /** The guaranteed minimum, kept while renewals fail, until {@link #floorUntilNanos}. */
    private int floor;
    private long fullUntilNanos;
    private long floorUntilNanos;
    /** Permits of connections closing because the limit shrank below what was held ({@link #retireExcess}). */
    private int retiring;
    /** The most connections in use or wanted since the last renewal read it: this replica's demand. */
    private int demandPeak;
    /** Told when a request queues because the limit in force is reached (the share may grow). */
    private Runnable shareLimited = () -> { };

    /** Permits held: connects in progress, open and closing connections, their teardown allowance, migrations. */
    private int permits;
    private long nextLinkId;
    /** Connections not yet seen closed, whoever owns them (or none, while closing). */
    private int liveLinks;
    private final Set<TenantPool> pools = new LinkedHashSet<>();
    /** Tenants waiting for a connection they cannot have yet, oldest first. */
    private final LinkedHashSet<TenantPool> waiting = new LinkedHashSet<>();
    /** Idle connections of every tenant, oldest first. */
    private final LinkedHashSet<Link> idle = new LinkedHashSet<>();
    /**
     * Connections whose close was sent and not yet observed, oldest first. A PostgreSQL close waits
     * for the server to end the connection (Vert.x half-closes the socket), so a frozen server
     * leaves them here, holding their permits; the stall detector counts them as calls in flight.
     */
    private final LinkedHashSet<Link> closing = new LinkedHashSet<>();
    private final ArrayDeque<PermitWaiter> permitWaiters = new ArrayDeque<>();
    private final Map<String, Integer> permitsHeldBy = new HashMap<>();

    /** Refusals answered, by reason (see {@link GovernorRejection#answered}). */
    private final Map<GovernorRejection.Reason, LongAdder> refusals = new java.util.EnumMap<>(GovernorRejection.Reason.class);
    private final LongAdder connects = new LongAdder();
    private final LongAdder moved = new LongAdder();
    private final LongAdder reconnected = new LongAdder();
    private final LongAdder permitsReturned = new LongAdder();
    private final LongAdder closesObserved = new LongAdder();

    // The stall detector (see Health), fed by every reply the server gives; written under the lock.
    private volatile Health health = Health.HEALTHY;
    private long healthSinceNanos = System.nanoTime();
    private long lastReplyNanos = System.nanoTime();
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
    private final LongAdder stalls = new LongAdder();
    /**
     * When this process last looked at the server's health (at least every quarter second, from
     * the health timer), and when it last resumed after not running at all (SIGSTOP, a frozen VM, a
     * long pause): silence while we were not running is not the server's, so it is not counted.
     */
    private long lastCheckNanos = System.nanoTime();
    private long resumedNanos;
    private static final long PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** A dispatch is scheduled for when a patient tenant's wait ends (see {@link #patient}). */
    private boolean patienceTimerSet;

    /** Pools and migrations that may take permits; see {@link ServerBudgets#use}. */
    private int users;
    /** When the budget last became entirely unused (no user, permit or waiter); 0 while in use. */
    private long unusedSinceNanos = System.nanoTime();

    /** A migration's wait for a bare permit (its JDBC connection is opened by Flyway). */
    private final class PermitWaiter {
        final Promise<Void> promise = Promise.promise();
        final String holder;
        long timer;

        PermitWaiter(String holder) {
            this.holder = holder;
        }
    }

    /**
     * @param leased whether the share comes from the lease protocol; then {@code limit} is the
     *               budget of all replicas together and this instance's share starts at zero
     */
    ServerBudget(String server, int limit, boolean leased, Vertx vertx, Connector connector, Settings settings) {
        if (limit < 0) {
            throw new IllegalArgumentException("budget of " + server + " must not be negative");
        }
        for (GovernorRejection.Reason reason : GovernorRejection.Reason.values()) {
            refusals.put(reason, new LongAdder());
        }
        this.server = server;
        this.leased = leased;
        this.fleetBudget = limit;
        this.limit = leased ? 0 : limit;
        this.vertx = vertx;
        this.connector = connector;
        this.settings = settings;
    }

    // ------------------------------------------------------------------------------------------
    // Leasing: the tenant pools' way in

    /**
     * A connection of the pool's tenant: an idle one at once, else the request queues (bounded) and
     * the server is asked to provide one. Fails with {@link TenantPool.Retired} if the pool stopped
     * admitting, {@link GovernorRejection} when the queue is full or the wait times out.
     */
    Future<Link> lease(TenantPool pool, TenantPool.Waiter waiter) {
        Actions actions = new Actions();
        Future<Link> leased;
        synchronized (this) {
            leased = lease(pool, waiter, actions);
        }
        actions.run();
        return leased;
    }

    private Future<Link> lease(TenantPool pool, TenantPool.Waiter waiter, Actions actions) {
        if (pool.state != TenantPool.State.LIVE) {
            return Future.failedFuture(TenantPool.Retired.INSTANCE);
        }
        if (health == Health.STALLED) {
            checkHealth(System.nanoTime(), actions); // time for the next probe?
            return answerStalled();
        }
        Link link = pool.idle.pollLast();
        if (link != null) {
            idle.remove(link);
            lend(link);
            return Future.succeededFuture(link);
        }
        checkHealth(System.nanoTime(), actions);
        if (pool.queue.size() >= settings.maxWaitQueue()) {
            return Future.failedFuture(refusal(GovernorRejection.Reason.TENANT_QUEUE_FULL,
                    "too many requests are waiting for tenant " + pool.key() + "; retry shortly"));
        }
        pool.queue.addLast(waiter);
        // Set under the lock, so a delivery on another thread always finds the timer set.
        waiter.timer = vertx.setTimer(settings.acquireTimeoutMillis(), id -> timedOut(pool, waiter));
        seekConnection(pool, actions);
        dispatch(actions);
        if (leased && permits >= cap()) {
            actions.add(shareLimited); // a renewal may grow the share now rather than at its next tick
        }
        return waiter.promise.future();
    }

    /**
     * The work on a connection ended. {@code reusable} is false when the work was cancelled or the
     * connection broke: it is closed then. Otherwise it goes to the next request of its tenant, or
     * to the neediest other tenant, or becomes idle.
     */
    void release(Link link, boolean reusable) {
        Actions actions = new Actions();
        synchronized (this) {
            TenantPool pool = link.owner;
            if (link.state != Link.State.LEASED) {
                // Closed by its peer while leased: nothing to give back but the lease.
                if (pool != null) {
                    pool.leased = Math.max(0, pool.leased - 1);
                    afterLeaseEnded(pool, actions);
                }
                dispatch(actions);
            } else {
                pool.leased--;
                link.quantumUsed++;
                if (reusable) {
                    replied(System.nanoTime() - link.leasedAtNanos, actions);
                }
                if (!reusable) {
                    beginClose(link, actions, true);
                } else if (pool.state != TenantPool.State.LIVE && pool.queue.isEmpty()) {
                    TenantPool other = neediestWaiting(pool);
                    if (other != null) {
                        handOver(link, other, actions); // a retired pool's connection still serves someone
                    } else {
                        beginClose(link, actions, false);
                    }
                } else if (System.nanoTime() - link.createdNanos > settings.maxLifetimeNanos()) {
                    LOG.debugf("replacing %s: older than the maximum lifetime", link);
                    beginClose(link, actions, false);
                } else {
                    place(link, actions);
                }
                afterLeaseEnded(pool, actions);
                dispatch(actions);
            }
        }
        actions.run();
    }

    /**
     * Where a connection that just became free goes, while others may be waiting for one:
     * <ul>
     *   <li>nobody else waits: the tenant's next request, or idle;</li>
     *   <li>the tenant holds more than its fair share: the neediest waiting tenant;</li>
     *   <li>tenants outnumber the budget and this connection has served its quantum: the neediest
     *       waiting tenant (rotation);</li>
     *   <li>otherwise the tenant's next request; and with none queued, it lingers for
     *       {@code handover-linger}, reserved for its tenant, whose client is likely to send the next
     *       one within a round trip: a hand-over costs a reconnect on PostgreSQL. Then it is idle,
     *       and an idle connection is the first to go to a waiting tenant.</li>
     * </ul>
     */
    private void place(Link link, Actions actions) {
        if (permits - retiring > cap()) {
            retire(link, actions); // the share shrank: this one is given back, not passed on
            return;
        }
        TenantPool pool = link.owner;
        TenantPool other = neediestWaiting(pool);
        if (other == null) {
            if (!pool.queue.isEmpty()) {
                link.quantumUsed = 0; // nobody else wants it: a fresh quantum
                deliver(pool, link, actions);
            } else {
                makeIdle(link, true);
            }
            return;
        }
        int contenders = contenders();
        int share = Math.max(1, cap() / Math.max(1, contenders));
        // Over its share, and the hand-over evens things out: a 2-holder giving to a 1-holder would
        // only swap who holds two (when the budget does not divide evenly), at a reconnect's cost.
        boolean overShare = pool.held() > share && other.held() + 1 < pool.held();
        boolean rotate = contenders > cap() && link.quantumUsed >= settings.quantum();
        if (overShare || rotate) {
            handOver(link, other, actions);
            if (!pool.queue.isEmpty()) {
                waiting.add(pool);
            }
        } else if (!pool.queue.isEmpty()) {
            deliver(pool, link, actions);
        } else if (settings.lingerMillis() > 0) {
            linger(link, actions);
        } else {
            handOver(link, other, actions);
        }
    }

    /** Idle, but kept for its tenant for a moment: not yet offered to the waiting tenants. */
    private void linger(Link link, Actions actions) {
        makeIdle(link, false);
        long generation = ++link.lingerGeneration;
        actions.add(() -> vertx.setTimer(settings.lingerMillis(), id -> lingerEnded(link, generation)));
    }

    private void lingerEnded(Link link, long generation) {
        Actions actions = new Actions();
        synchronized (this) {
            if (link.state == Link.State.IDLE && link.lingerGeneration == generation && !idle.contains(link)) {
                idle.add(link);
                dispatch(actions);
            }
        }
        actions.run();
    }

    /** Lends a connection to the next queued request of its tenant. */
    private void deliver(TenantPool pool, Link link, Actions actions) {
        TenantPool.Waiter waiter = pool.queue.pollFirst();
        lend(link);
        vertx.cancelTimer(waiter.timer);
        if (pool.queue.isEmpty()) {
            waiting.remove(pool);
        }
        actions.add(() -> waiter.deliver(link));
    }

    private void lend(Link link) {
        link.leasedAtNanos = System.nanoTime();
        link.longLeaseReported = false;
        link.state = Link.State.LEASED;
        link.owner.leased++;
        link.owner.served++;
        link.owner.lastServedNanos = link.leasedAtNanos;
    }

    /** Idle for its tenant; offered to waiting tenants at once unless it lingers first. */
    private void makeIdle(Link link, boolean offered) {
        link.state = Link.State.IDLE;
        link.idleSinceNanos = System.nanoTime();
        link.owner.idle.addLast(link);
        if (offered) {
            idle.add(link);
        }
    }

    /**
     * Gives a free connection to another tenant: moved when both speak MySQL with the same TLS mode,
     * otherwise closed with its permit reserved for the receiver's connect.
     */
    private void handOver(Link link, TenantPool to, Actions actions) {
        TenantPool from = link.owner;
        from.links.remove(link);
        from.idle.remove(link);
        idle.remove(link);
        link.quantumUsed = 0;
        if (movable(link, to)) {
            link.state = Link.State.MOVING;
            link.owner = to;
            link.moves++;
            to.links.add(link);
            to.incoming++;
            satisfied(to);
            SqlConnection connection = link.connection;
            actions.add(() -> connector.move(connection, to.route()).onComplete(done -> moved(link, to, done.cause())));
        } else {
            reserve(link, to);
            beginClose(link, actions, false);
        }
    }

    /** The link's permit will pass to {@code to}'s next connect once the link has closed. */
    private void reserve(Link link, TenantPool to) {
        link.reservedFor = to;
        to.reserved++;
        to.incoming++;
        satisfied(to);
    }

    private void moved(Link link, TenantPool to, Throwable failure) {
        Actions actions = new Actions();
        synchronized (this) {
            to.incoming--;
            if (link.state == Link.State.CLOSING && link.connection != null) {
                // Closed while moving (the pool closed, the application stops): close it now.
                closeNow(link, DatabaseKind.MYSQL, false, actions);
                dispatch(actions);
            } else if (link.state != Link.State.MOVING) {
                dispatch(actions); // closed by its peer under us
            } else if (failure != null) {
                LOG.debugf("moving %s to tenant %s failed; reconnecting: %s", link, to.key(), failure.toString());
                to.links.remove(link);
                reserve(link, to);
                beginClose(link, actions, false);
                dispatch(actions);
            } else {
                moved.increment();
                replied(-1, actions);
                if (to.state == TenantPool.State.CLOSED) {
                    beginClose(link, actions, false);
                } else {
                    place(link, actions);
                }
                dispatch(actions);
            }
        }
        actions.run();
    }

    /** The pool's waiters may now be covered by what is coming; it stops waiting at the server. */
    private void satisfied(TenantPool pool) {
        if (pool.wanted() <= 0) {
            waiting.remove(pool);
        }
    }

    /**
     * Tries to get the pool one more connection: a free permit if it is within its share (or no one
     * else waits), else it waits at the server, where {@link #dispatch} serves the neediest first.
     */
    private void seekConnection(TenantPool pool, Actions actions) {
        if (pool.wanted() <= 0) {
            return;
        }
        waiting.add(pool);
    }

    /**
     * Matches free capacity to waiting tenants, neediest first: a free permit becomes a connect, an
     * idle connection of another tenant becomes a hand-over, migrations waiting for a bare permit
     * go first. Stops when nothing is free or nobody waits.
     */
    private void dispatch(Actions actions) {
        retireExcess(actions);
        while (!permitWaiters.isEmpty()) {
            if (permits < cap()) {
                PermitWaiter migration = permitWaiters.pollFirst();
                permits++;
                permitsHeldBy.merge(migration.holder, 1, Integer::sum);
                vertx.cancelTimer(migration.timer);
                actions.add(migration.promise::complete);
            } else if (!idle.isEmpty()) {
                Link oldest = idle.iterator().next();
                removeFromOwner(oldest);
                beginClose(oldest, actions, false);
                break; // its permit comes back on close
            } else {
                break;
            }
        }
        while (!waiting.isEmpty()) {
            TenantPool next = neediestWaiting(null);
            if (next == null) {
                break;
            }
            if (permits < cap()) {
                permits++;
                startConnect(next, actions);
                satisfied(next);
                continue;
            }
            Link victim = oldestIdleNotOf(next);
            if (victim == null || patient(next, victim, actions)) {
                break;
            }
            handOver(victim, next, actions);
        }
    }

    /**
     * Whether the tenant should wait a little for one of its own busy connections rather than take
     * the victim by a reconnect ({@code handover-patience}); if so, a timer dispatches again when
     * the patience of its oldest waiter runs out.
     */
    private boolean patient(TenantPool pool, Link victim, Actions actions) {
        long patience = settings.patienceNanos();
        TenantPool.Waiter oldest = pool.queue.peekFirst();
        if (patience <= 0 || pool.links.isEmpty() || oldest == null || movable(victim, pool)) {
            return false;
        }
        long left = oldest.enqueuedNanos + patience - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        if (!patienceTimerSet) {
            patienceTimerSet = true;
            actions.add(() -> vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), id -> {
                Actions later = new Actions();
                synchronized (this) {
                    patienceTimerSet = false;
                    dispatch(later);
                }
                later.run();
            }));
        }
        return true;
    }

    /** A hand-over of this connection to {@code to} would be a move ({@code changeUser}), not a reconnect. */
    private static boolean movable(Link link, TenantPool to) {
        TenantPool from = link.owner;
        return to.kind() == DatabaseKind.MYSQL && from != null && from.kind() == DatabaseKind.MYSQL
                && from.tlsMode() == to.tlsMode() && link.connection != null;
    }

    private Link oldestIdleNotOf(TenantPool pool) {
        for (Link link : idle) {
            if (link.owner != pool) {
                return link;
            }
        }
        return null;
    }

    /**
     * The waiting tenant that holds the fewest connections, the least recently served among equals
     * (a tenant whose waits keep timing out rejoins the queue as new, so its place in it would not
     * protect it from starving); {@code null} if none (other than {@code except}) can use one more.
     */
    private TenantPool neediestWaiting(TenantPool except) {
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

    /** {@code max(1, limit / contenders)}; contenders have work in flight or queued. */
    synchronized int fairShare() {
        return Math.max(1, cap() / Math.max(1, contenders()));
    }

    /** Tenants with work in flight or queued: active demand, not idle connections. */
    private int contenders() {
        int contenders = 0;
        for (TenantPool pool : pools) {
            if (pool.leased > 0 || !pool.queue.isEmpty()) {
                contenders++;
            }
        }
        return contenders;
    }

    private void startConnect(TenantPool pool, Actions actions) {
        Link link = new Link(this, ++nextLinkId, pool);
        liveLinks++;
        pool.links.add(link);
        pool.incoming++;
        connects.increment();
        actions.add(() -> connector.connect(pool.route(), this::lateEnd)
                .onComplete(done -> connected(link, done.result(), done.cause())));
    }

    private void connected(Link link, SqlConnection connection, Throwable failure) {
        Actions actions = new Actions();
        TenantPool pool;
        synchronized (this) {
            pool = link.owner;
            pool.incoming--;
            if (failure != null) {
                timedOutConnect(failure);
                link.state = Link.State.CLOSED;
                liveLinks--;
                pool.links.remove(link);
                returnPermitLater(link, actions);
                // The request that asked for it learns why (refused, rejected credentials, timed out).
                TenantPool.Waiter waiter = pool.queue.pollFirst();
                if (waiter != null) {
                    vertx.cancelTimer(waiter.timer);
                    Throwable why = health == Health.HEALTHY ? failure : stalledRefusal();
                    actions.add(() -> waiter.fail(why));
                }
                if (pool.queue.isEmpty()) {
                    waiting.remove(pool);
                }
                dispatch(actions);
            } else {
                replied(-1, actions);
                link.connection = connection;
                connection.closeHandler(v -> closed(link));
                connection.exceptionHandler(error -> LOG.debugf("%s failed: %s", link, error.toString()));
                if (link.state == Link.State.CLOSING) {
                    closeNow(link, pool.kind(), false, actions);
                } else if (pool.state == TenantPool.State.CLOSED) {
                    link.state = Link.State.CLOSING;
                    pool.links.remove(link);
                    closeNow(link, pool.kind(), false, actions);
                } else {
                    place(link, actions);
                    dispatch(actions);
                }
            }
        }
        actions.run();
        if (failure == null) {
            pool.onFirstConnection(this, connection);
        }
    }

    /** Starts closing; the permit comes back once the close is observed (see {@link #closed}). */
    private void beginClose(Link link, Actions actions, boolean abandoned) {
        if (link.state == Link.State.CLOSING || link.state == Link.State.CLOSED) {
            return;
        }
        Link.State was = link.state;
        link.state = Link.State.CLOSING;
        removeFromOwner(link);
        if (link.connection == null || was == Link.State.MOVING) {
            return; // closed when the connect or the move ends
        }
        closeNow(link, link.owner == null ? DatabaseKind.POSTGRESQL : link.owner.kind(), abandoned, actions);
    }

    /**
     * Closes the link's connection after the lock is released. Its close is observed by the close
     * handler or, should that have fired before it was set, by the close's own completion: either
     * way {@link #closed} runs, and only its first call counts.
     */
    private void closeNow(Link link, DatabaseKind kind, boolean abandoned, Actions actions) {
        SqlConnection connection = link.connection;
        link.closingSinceNanos = System.nanoTime();
        closing.add(link);
        actions.add(() -> connector.close(connection, kind, server, abandoned).onComplete(done -> closed(link)));
    }

    private void removeFromOwner(Link link) {
        idle.remove(link);
        if (link.owner != null) {
            link.owner.idle.remove(link);
            link.owner.links.remove(link);
        }
    }

    /** Vert.x saw the connection close, whoever closed it: the only place a link becomes CLOSED. */
    private void closed(Link link) {
        Actions actions = new Actions();
        synchronized (this) {
            if (link.state == Link.State.CLOSED) {
                return;
            }
            closesObserved.increment();
            Link.State was = link.state;
            link.state = Link.State.CLOSED;
            closing.remove(link);
            liveLinks--;
            removeFromOwner(link);
            if (was == Link.State.LEASED && link.owner != null) {
                LOG.debugf("%s closed by its server while in use", link);
            }
            returnPermitLater(link, actions);
            dispatch(actions);
        }
        actions.run();
    }

    /** After the teardown allowance, the permit passes to the tenant it was reserved for, or returns. */
    private void returnPermitLater(Link link, Actions actions) {
        if (settings.teardownMillis() <= 0) {
            returnPermit(link, actions);
            return;
        }
        actions.add(() -> vertx.setTimer(settings.teardownMillis(), id -> {
            Actions later = new Actions();
            synchronized (this) {
                returnPermit(link, later);
            }
            later.run();
        }));
    }

    private void returnPermit(Link link, Actions actions) {
        if (link.permitReturned) {
            throw new IllegalStateException(link + " returned its permit twice");
        }
        link.permitReturned = true;
        permitsReturned.increment();
        if (link.retiring) {
            retiring--;
        }
        TenantPool heir = link.reservedFor;
        link.reservedFor = null;
        if (heir != null) {
            heir.incoming--;
            heir.reserved--;
            if (heir.state != TenantPool.State.CLOSED && heir.wanted() > 0) {
                if (permits - retiring <= cap()) {
                    reconnected.increment();
                    startConnect(heir, actions); // the permit passes on, never back to the pool of permits
                    satisfied(heir);
                    return;
                }
                seekConnection(heir, actions); // the share shrank meanwhile: it waits like everyone else
            }
        }
        permits--;
        dispatch(actions);
    }

    /** A pool's lease ended or its queue changed: a draining pool may now close. */
    private void afterLeaseEnded(TenantPool pool, Actions actions) {
        if (pool.state == TenantPool.State.DRAINING && pool.leased == 0 && pool.queue.isEmpty()) {
            closePool(pool, actions);
        }
    }

    private void timedOut(TenantPool pool, TenantPool.Waiter waiter) {
        GovernorRejection rejection;
        synchronized (this) {
            if (!pool.queue.remove(waiter)) {
                return; // served in the meantime
            }
            boolean forBudget = waiting.contains(pool) && pool.links.isEmpty();
            rejection = forBudget ? exhausted()
                    : refusal(GovernorRejection.Reason.ACQUIRE_TIMEOUT,
                    "no connection of tenant " + pool.key() + " became free in time; retry shortly");
            if (pool.queue.isEmpty()) {
                waiting.remove(pool);
            }
        }
        waiter.fail(rejection);
    }

    /** A request gave up waiting (its deadline passed, its caller left): it leaves the queue. */
    void abandonWait(TenantPool pool, TenantPool.Waiter waiter) {
        synchronized (this) {
            if (pool.queue.remove(waiter)) {
                vertx.cancelTimer(waiter.timer);
                if (pool.queue.isEmpty()) {
                    waiting.remove(pool);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Stall detection

    /** The answer to a request for a stalled server's connection; counted once answered. */
    GovernorRejection stalledRefusal() {
        return refusal(GovernorRejection.Reason.DATABASE_STALLED, "the database server of this tenant stopped"
                + " answering; its requests fail fast until it answers again; retry shortly");
    }

    /**
     * The refusal for a request that finds the server stalled, given after {@code stall.answer-delay}:
     * clients that ignore {@code Retry-After} and ask again at once would otherwise turn fast 503s
     * into a loop that takes the CPU the other servers' tenants need.
     */
    private Future<Link> answerStalled() {
        GovernorRejection refusal = stalledRefusal();
        if (settings.stalledAnswerDelayMillis() <= 0) {
            return Future.failedFuture(refusal);
        }
        Promise<Link> answer = Promise.promise();
        vertx.setTimer(settings.stalledAnswerDelayMillis(), id -> answer.fail(refusal));
        return answer.future();
    }

    /** Whether the server is answering (not suspected or found stalled). */
    boolean answering() {
        return health == Health.HEALTHY;
    }

    /** The server answered (a statement ended, a connect or move completed): it is not stalled. */
    private void replied(long leaseNanos, Actions actions) {
        long now = System.nanoTime();
        lastReplyNanos = now;
        if (leaseNanos >= 0) {
            meanLeaseNanos = meanLeaseNanos == 0 ? leaseNanos : meanLeaseNanos * 0.95 + leaseNanos * 0.05;
        }
        if (health != Health.HEALTHY) {
            LOG.infof("server %s answers again (%s for %d ms)", server,
                    health == Health.STALLED ? "stalled" : "suspected", (now - healthSinceNanos) / 1_000_000);
            health = Health.HEALTHY;
            healthSinceNanos = now;
            dispatch(actions);
        }
    }

    /** Under the lock: a connect failed; one that timed out is left pending (see {@link #lateConnects}). */
    private void timedOutConnect(Throwable failure) {
        if (failure instanceof ConnectTimeout) {
            lateConnects++;
            lastLateConnectNanos = System.nanoTime();
        }
    }

    /** A connect that had timed out ended after all; if on the server's answer, the server answers again. */
    private void lateEnd(boolean answered) {
        Actions actions = new Actions();
        synchronized (this) {
            lateConnects = Math.max(0, lateConnects - 1);
            if (answered) {
                replied(-1, actions);
            }
        }
        actions.run();
    }

    /**
     * How long calls may go without any reply before the server is suspected: twenty times its
     * recent mean lease, at least {@code stall.threshold} and at most four times that.
     */
    private long threshold() {
        long floor = settings.stallThresholdNanos();
        return Math.max(floor, Math.min(4 * floor, (long) (20 * meanLeaseNanos)));
    }

    /** When the oldest call still waiting on the server (a lease, a connect, a move, a close) began; 0 if none. */
    private long oldestInFlight() {
        long oldest = closing.isEmpty() ? 0 : closing.iterator().next().closingSinceNanos;
        for (TenantPool pool : pools) {
            for (Link link : pool.links) {
                long since = switch (link.state) {
                    case LEASED -> link.leasedAtNanos;
                    case CONNECTING, MOVING -> link.createdNanos;
                    default -> 0;
                };
                if (since != 0 && (oldest == 0 || since < oldest)) {
                    oldest = since;
                }
            }
        }
        return oldest;
    }

    /**
     * Suspects, probes, or probes again. Runs on every request that finds no idle connection and
     * from a timer; it costs a comparison unless the server has given no reply for the threshold.
     */
    private void checkHealth(long now, Actions actions) {
        noticePause(now);
        if (settings.stallThresholdNanos() <= 0) {
            return;
        }
        // A probe whose call is still out decides; one that never ends stops counting after a while.
        if (probing && now - lastProbeNanos < 10 * settings.probeIntervalNanos()) {
            return;
        }
        if (health != Health.HEALTHY) {
            // A connect left pending by the freeze ends the stall as soon as the server answers it;
            // a new probe would only leave one more pending (it holds a slot once the server thaws).
            boolean lateOneOut = lateConnects > 0 && now - lastLateConnectNanos < 30 * settings.probeIntervalNanos();
            if (!lateOneOut && now - lastProbeNanos >= settings.probeIntervalNanos()) {
                probe(now, actions);
            }
            return;
        }
        long threshold = threshold();
        if (now - Math.max(lastReplyNanos, resumedNanos) <= threshold) {
            return;
        }
        long oldest = oldestInFlight();
        if (oldest != 0 && now - Math.max(oldest, resumedNanos) > threshold) {
            health = Health.SUSPECT;
            healthSinceNanos = now;
            LOG.debugf("server %s gave no reply for %d ms with calls in flight; probing it", server,
                    (now - lastReplyNanos) / 1_000_000);
            probe(now, actions);
        }
    }

    /**
     * One probe at a time: a {@code SELECT 1} on an idle connection, else a connect with a free
     * permit (closed at once). Any reply, success or error, means the server answers; none within
     * the probe timeout makes it STALLED. With neither an idle connection nor a free permit, it
     * stays SUSPECT (requests still queue) until a call outlives the statement timeout by the
     * threshold: a live server would have stopped it by then.
     */
    private void probe(long now, Actions actions) {
        lastProbeNanos = now;
        Link idleLink = idle.isEmpty() ? null : idle.iterator().next();
        if (idleLink != null) {
            probing = true;
            idle.remove(idleLink);
            idleLink.owner.idle.remove(idleLink);
            lend(idleLink);
            idleLink.probe = true;
            SqlConnection connection = idleLink.connection;
            actions.add(() -> {
                long timer = vertx.setTimer(settings.probeTimeoutMillis(), id -> probeUnanswered());
                connection.preparedQuery("SELECT 1").execute().onComplete(done -> {
                    vertx.cancelTimer(timer);
                    probeAnswered();
                    synchronized (this) {
                        idleLink.probe = false;
                    }
                    release(idleLink, done.succeeded());
                });
            });
            return;
        }
        TenantPool any = null;
        for (TenantPool pool : pools) {
            if (pool.state == TenantPool.State.LIVE) {
                any = pool;
                break;
            }
        }
        if (permits < cap() && any != null) {
            probing = true;
            permits++;
            connects.increment();
            var route = any.route();
            actions.add(() -> {
                long timer = vertx.setTimer(settings.probeTimeoutMillis(), id -> probeUnanswered());
                connector.connect(route, this::lateEnd).onComplete(done -> {
                    vertx.cancelTimer(timer);
                    if (done.succeeded() || Connector.isAnswer(done.cause())) {
                        probeAnswered(); // connected, or refused: either way the server answers
                    } else {
                        probeEnded(done.cause()); // no answer; a late one still ends the stall (lateEnd)
                    }
                    Runnable giveBack = () -> vertx.setTimer(Math.max(1, settings.teardownMillis()), id -> {
                        Actions freed = new Actions();
                        synchronized (this) {
                            permits--;
                            permitsReturned.increment();
                            dispatch(freed);
                        }
                        freed.run();
                    });
                    if (done.succeeded()) {
                        done.result().close().onComplete(closed -> giveBack.run());
                    } else {
                        giveBack.run();
                    }
                });
            });
            return;
        }
        // Nothing to probe with: every permit is on a call. Long statements look the same as a
        // frozen server until they outlive the statement timeout, which a live server enforces.
        long oldest = oldestInFlight();
        if (settings.statementTimeoutNanos() > 0 && oldest != 0
                && now - Math.max(oldest, resumedNanos) > settings.statementTimeoutNanos() + settings.stallThresholdNanos()) {
            becomeStalled(now, actions);
        }
    }

    private void probeAnswered() {
        Actions actions = new Actions();
        synchronized (this) {
            probing = false;
            replied(-1, actions);
        }
        actions.run();
    }

    private synchronized void probeEnded(Throwable failure) {
        probing = false;
        timedOutConnect(failure);
    }

    /** The probe timeout passed with the probe's call still out: the server is stalled. */
    private void probeUnanswered() {
        Actions actions = new Actions();
        synchronized (this) {
            long now = System.nanoTime();
            noticePause(now);
            // Resumed within the probe's time: its answer may be waiting to be read, so it decides.
            boolean resumedMeanwhile = now - resumedNanos < TimeUnit.MILLISECONDS.toNanos(settings.probeTimeoutMillis());
            if (health != Health.HEALTHY && !resumedMeanwhile) {
                becomeStalled(System.nanoTime(), actions);
            }
        }
        actions.run();
    }

    /**
     * Every request of the server's tenants fails fast now, queued or on a connection (the calls in
     * flight are cut off as a deadline would cut them off: their connections are closed), and new
     * ones fail fast until a reply.
     */
    private void becomeStalled(long now, Actions actions) {
        if (health != Health.STALLED) {
            stalls.increment();
            LOG.warnf("server %s stalled: no reply for %d ms with calls in flight, and none to a probe;"
                    + " its tenants' requests fail fast (tenant-database-stalled) until it answers", server,
                    (now - lastReplyNanos) / 1_000_000);
            health = Health.STALLED;
            healthSinceNanos = now;
            for (TenantPool pool : pools) {
                for (Link link : List.copyOf(pool.links)) {
                    Runnable abort = link.abort;
                    if (link.state == Link.State.LEASED && !link.probe && abort != null) {
                        actions.add(abort);
                        beginClose(link, actions, true);
                    }
                }
            }
        }
        for (TenantPool pool : pools) {
            for (TenantPool.Waiter waiter : List.copyOf(pool.queue)) {
                vertx.cancelTimer(waiter.timer);
                GovernorRejection refusal = stalledRefusal();
                actions.add(() -> waiter.fail(refusal));
            }
            pool.queue.clear();
            waiting.remove(pool);
        }
    }

    /** A lease held longer than the long-lease threshold, still held. */
    record LongLease(StatementLog.Caller caller, long heldNanos) {
    }

    /**
     * Leases held past {@code thresholdNanos} and not reported yet, each reported once: the sweep
     * that replaces a timer per lease (run by {@link TenantPools}' health timer).
     */
    List<LongLease> longLeases(long thresholdNanos, long now) {
        List<LongLease> found = new ArrayList<>();
        synchronized (this) {
            for (TenantPool pool : pools) {
                if (pool.leased == 0) {
                    continue;
                }
                for (Link link : pool.links) {
                    StatementLog.Caller caller = link.caller;
                    if (link.state == Link.State.LEASED && !link.longLeaseReported && caller != null
                            && now - link.leasedAtNanos > thresholdNanos) {
                        link.longLeaseReported = true;
                        found.add(new LongLease(caller, now - link.leasedAtNanos));
                    }
                }
            }
        }
        return found;
    }

    /** The stall check of the health timer (see {@link TenantPools}). */
    /** A gap in our own looking means this process did not run; the time since resuming is what counts. */
    private void noticePause(long now) {
        if (now - lastCheckNanos > PAUSE_NANOS) {
            resumedNanos = now;
            LOG.debugf("server %s: this process did not run for %d ms; that silence is not the server's", server,
                    (now - lastCheckNanos) / 1_000_000);
        }
        lastCheckNanos = now;
    }

    void checkHealth() {
        Actions actions = new Actions();
        synchronized (this) {
            checkHealth(System.nanoTime(), actions);
        }
        actions.run();
    }

    public Health health() {
        return health;
    }

    /** Times the server was found stalled since start. */
    public long stalls() {
        return stalls.sum();
    }

    // ------------------------------------------------------------------------------------------
    // Pools coming and going

    synchronized void register(TenantPool pool) {
        pools.add(pool);
    }

    /** Stops the pool admitting work; its queued and running work finishes, then it closes. */
    void retire(TenantPool pool) {
        Actions actions = new Actions();
        synchronized (this) {
            if (pool.state != TenantPool.State.LIVE) {
                return;
            }
            pool.state = TenantPool.State.DRAINING;
            afterLeaseEnded(pool, actions);
            dispatch(actions);
        }
        actions.run();
    }

    /** Closes a pool now, whatever it is doing: the drain timeout passed, or the application stops. */
    void forceClose(TenantPool pool) {
        Actions actions = new Actions();
        synchronized (this) {
            for (TenantPool.Waiter waiter : List.copyOf(pool.queue)) {
                vertx.cancelTimer(waiter.timer);
                actions.add(() -> waiter.fail(new GovernorRejection(GovernorRejection.Reason.SHUTTING_DOWN,
                        "the pool of tenant " + pool.key() + " closed; retry")));
            }
            pool.queue.clear();
            for (Link link : List.copyOf(pool.links)) {
                beginClose(link, actions, link.state == Link.State.LEASED);
            }
            closePool(pool, actions);
        }
        actions.run();
    }

    private void closePool(TenantPool pool, Actions actions) {
        for (Link link : List.copyOf(pool.links)) {
            if (link.state == Link.State.IDLE) {
                beginClose(link, actions, false);
            }
        }
        if (pool.state != TenantPool.State.CLOSED) {
            pool.state = TenantPool.State.CLOSED;
            waiting.remove(pool);
            pools.remove(pool);
            actions.add(pool::closed);
        }
    }

    /** Closes idle connections past the idle timeout or their lifetime, oldest first; stops at the first young one. */
    void sweep(long nowNanos) {
        Actions actions = new Actions();
        synchronized (this) {
            for (Iterator<Link> it = idle.iterator(); it.hasNext(); ) {
                Link link = it.next();
                boolean idleTooLong = nowNanos - link.idleSinceNanos > settings.idleTimeoutNanos();
                boolean tooOld = nowNanos - link.createdNanos > settings.maxLifetimeNanos();
                if (!idleTooLong && !tooOld) {
                    break;
                }
                it.remove();
                beginClose(link, actions, false);
            }
        }
        actions.run();
    }

    // ------------------------------------------------------------------------------------------
    // Bare permits, for migrations (JDBC connections opened by Flyway)

    /**
     * A permit for a connection the caller opens itself, now or within {@code timeoutMillis}; an
     * idle connection of any tenant is closed to free one. Fails with
     * {@code server-budget-exhausted} when the wait ends.
     */
    public Future<Void> acquire(String holder, long timeoutMillis) {
        Actions actions = new Actions();
        PermitWaiter waiter;
        synchronized (this) {
            if (permitWaiters.isEmpty() && permits < cap() && waiting.isEmpty()) {
                permits++;
                permitsHeldBy.merge(holder, 1, Integer::sum);
                return Future.succeededFuture();
            }
            // A leased budget at zero may be granted a share at its next renewal: wait for it.
            if ((cap() == 0 && !leased) || timeoutMillis <= 0) {
                return Future.failedFuture(exhausted());
            }
            waiter = new PermitWaiter(holder);
            permitWaiters.addLast(waiter);
            waiter.timer = vertx.setTimer(timeoutMillis, id -> {
                boolean removed;
                synchronized (this) {
                    removed = permitWaiters.remove(waiter);
                }
                if (removed) {
                    waiter.promise.tryFail(exhausted());
                }
            });
            dispatch(actions);
        }
        actions.run();
        return waiter.promise.future();
    }

    /** Gives back permits taken with {@link #acquire}. */
    public void release(String holder, int count) {
        if (count <= 0) {
            return;
        }
        Actions actions = new Actions();
        synchronized (this) {
            int held = permitsHeldBy.getOrDefault(holder, 0);
            if (count > held) {
                throw new IllegalStateException(holder + " released " + count + " permits of " + server + " but holds "
                        + held);
            }
            if (held == count) {
                permitsHeldBy.remove(holder);
            } else {
                permitsHeldBy.put(holder, held - count);
            }
            permits -= count;
            dispatch(actions);
        }
        actions.run();
    }

    private GovernorRejection exhausted() {
        return refusal(GovernorRejection.Reason.SERVER_BUDGET_EXHAUSTED,
                "the connection budget of this tenant's database server is in use; retry shortly");
    }

    /** A refusal by this server, counted against it once its caller is answered with it. */
    private GovernorRejection refusal(GovernorRejection.Reason reason, String detail) {
        return new GovernorRejection(reason, detail, refusals.get(reason));
    }

    // ------------------------------------------------------------------------------------------
    // What it holds

    public String server() {
        return server;
    }

    /**
     * The limit in force now. Without leases, the configured share. With leases, the share granted
     * by the last successful renewal while it is recent ({@code ttl / 2} since it was sent), then
     * the guaranteed minimum, then nothing: judged by this instance's own monotonic clock at every
     * decision, so a replica that cannot renew never connects beyond what the others still count
     * as its own, even before a timer has noticed.
     */
    private int cap() {
        if (!leased) {
            return limit;
        }
        long now = System.nanoTime();
        if (now - fullUntilNanos < 0) {
            return limit;
        }
        return now - floorUntilNanos < 0 ? Math.min(limit, floor) : 0;
    }

    /**
     * A renewal succeeded: this instance may use {@code share} until {@code fullForNanos} after
     * {@code sentNanos} (when the renewal was sent, before the registry stamped it), then
     * {@code floor} until {@code floorForNanos} after it. A smaller share retires the excess at
     * once: idle connections close now, busy ones when their work ends.
     */
    void grant(int share, int floor, long sentNanos, long fullForNanos, long floorForNanos) {
        Actions actions = new Actions();
        synchronized (this) {
            this.limit = Math.max(0, share);
            this.floor = Math.max(0, floor);
            this.fullUntilNanos = sentNanos + fullForNanos;
            this.floorUntilNanos = sentNanos + floorForNanos;
            dispatch(actions);
        }
        actions.run();
    }

    /** Applies a limit that fell with time (no renewal): the excess retires now rather than on next use. */
    void enforceCap() {
        if (!leased) {
            return;
        }
        Actions actions = new Actions();
        synchronized (this) {
            demandPeak = Math.max(demandPeak, demandNow());
            retireExcess(actions);
        }
        actions.run();
    }

    void onShareLimited(Runnable action) {
        this.shareLimited = action;
    }

    /** Connections in use or connecting, plus those wanted by waiting tenants and migrations. */
    private int demandNow() {
        int demand = permitWaiters.size() + permitsHeldBy.values().stream().mapToInt(Integer::intValue).sum();
        for (TenantPool pool : pools) {
            demand += pool.leased + Math.max(0, pool.queue.size());
            for (Link link : pool.links) {
                if (link.state == Link.State.CONNECTING || link.state == Link.State.MOVING) {
                    demand++;
                }
            }
        }
        return demand;
    }

    /**
     * Retires connections above the limit in force: idle ones (oldest first, lingering ones too)
     * close now; busy and connecting ones are retired by {@link #place} when they become free.
     * Permits of retiring connections are not counted again, so no more close than the excess.
     */
    private void retireExcess(Actions actions) {
        int excess = permits - retiring - cap();
        for (Iterator<Link> it = idle.iterator(); excess > 0 && it.hasNext(); excess--) {
            Link link = it.next();
            it.remove();
            retire(link, actions);
        }
        for (TenantPool pool : pools) {
            while (excess > 0 && !pool.idle.isEmpty()) {
                retire(pool.idle.peekFirst(), actions);
                excess--;
            }
        }
    }

    private void retire(Link link, Actions actions) {
        link.retiring = true;
        retiring++;
        beginClose(link, actions, false);
    }

    /** What the lease protocol publishes for this server; see {@link ReplicaLeases}. */
    synchronized LeaseView leaseView() {
        boolean inUse = users > 0 || permits > 0 || !waiting.isEmpty() || !permitWaiters.isEmpty() || !pools.isEmpty();
        int now = demandNow();
        return new LeaseView(limit, cap(), Math.min(limit, floor), permits, fleetBudget, inUse, Math.max(demandPeak, now));
    }

    /** The renewal read the demand: the peak starts over from what is wanted now. */
    synchronized void demandPublished() {
        demandPeak = demandNow();
    }

    /**
     * @param share   the share granted by the last renewal
     * @param cap     the limit in force now (the share, the minimum or zero)
     * @param floor   the minimum it keeps while renewals fail
     * @param permits the permits held, retiring ones included: what this instance may be using
     * @param fleetBudget the budget of all replicas together
     * @param inUse   a pool or migration uses the server: this instance wants a share of it
     * @param demand  the most connections in use or wanted since the last renewal
     */
    record LeaseView(int share, int cap, int floor, int permits, int fleetBudget, boolean inUse, int demand) {
    }

    public synchronized int limit() {
        return cap();
    }

    /**
     * Lowers the limit to what the server allows, once. Connections already open above the new
     * limit stay until they close; no new one is opened until the total is below it. Returns
     * {@code false} if the limit was already derived.
     */
    public synchronized boolean deriveLimit(int serverAllows) {
        if (derived) {
            return false;
        }
        derived = true;
        if (leased) {
            fleetBudget = Math.max(0, Math.min(fleetBudget, serverAllows)); // the next renewal splits it
        } else {
            limit = Math.max(0, Math.min(limit, serverAllows));
        }
        return true;
    }

    public synchronized boolean isDerived() {
        return derived;
    }

    /** Permits held right now: every connection connecting, open or closing, and migrations'. */
    public synchronized int granted() {
        return permits;
    }

    /** Tenants waiting for one of this server's connections, plus migrations waiting for a permit. */
    public synchronized int waiting() {
        int count = permitWaiters.size();
        for (TenantPool pool : waiting) {
            count += Math.max(0, pool.wanted());
        }
        return count;
    }

    public synchronized boolean hasWaiters() {
        return !waiting.isEmpty() || !permitWaiters.isEmpty();
    }

    /** Connections (of any state but closed) the tenant holds, plus its migrations' permits. */
    public synchronized int heldBy(String tenant) {
        int held = permitsHeldBy.getOrDefault(tenant, 0);
        for (TenantPool pool : pools) {
            if (pool.key().equals(tenant)) {
                held += pool.held();
            }
        }
        return held;
    }

    /** Requests answered {@code server-budget-exhausted}: they waited for this server's budget in vain. */
    public long rejected() {
        return refusals.get(GovernorRejection.Reason.SERVER_BUDGET_EXHAUSTED).sum();
    }

    /** Requests answered with each refusal of this server (problem type slug to count), since start. */
    public Map<String, Long> refusals() {
        Map<String, Long> answered = new java.util.LinkedHashMap<>();
        refusals.forEach((reason, count) -> {
            if (reason != GovernorRejection.Reason.SHUTTING_DOWN) {
                answered.put(reason.slug, count.sum());
            }
        });
        return answered;
    }

    /** Physical connects started to this server. */
    public long connects() {
        return connects.sum();
    }

    /** Connections handed to another tenant with {@code changeUser}. */
    public long moves() {
        return moved.sum();
    }

    /** Hand-overs done by closing a connection and connecting for the receiving tenant. */
    public long reconnects() {
        return reconnected.sum();
    }

    /** Permits returned after their connection closed (each exactly once). */
    public long permitsReturned() {
        return permitsReturned.sum();
    }

    /** Connections connecting, open or closing: 0 once every close has been observed. */
    public synchronized int liveConnections() {
        return liveLinks;
    }

    /** Closes observed, by tenantgate or by the server. */
    public long closesObserved() {
        return closesObserved.sum();
    }

    /** A consistent view of this server, for stats. */
    synchronized ServerView view() {
        int open = 0;
        int inUse = 0;
        int idleCount = idle.size();
        for (TenantPool pool : pools) {
            for (Link link : pool.links) {
                if (link.isOpen() || link.state == Link.State.CONNECTING) {
                    open++;
                }
            }
            inUse += pool.leased;
        }
        return new ServerView(open, inUse, idleCount, waiting(), cap(), permits, rejected());
    }

    record ServerView(int open, int inUse, int idle, int waiting, int limit, int permits, long rejected) {
    }

    /** One tenant's part of this server, for stats. */
    synchronized TenantPool.View view(TenantPool pool) {
        int open = 0;
        for (Link link : pool.links) {
            if (link.isOpen() || link.state == Link.State.CONNECTING) {
                open++;
            }
        }
        return new TenantPool.View(open, pool.leased, pool.idle.size(), pool.queue.size());
    }

    /** No work of the pool's is running or queued. */
    synchronized boolean isIdle(TenantPool pool) {
        return pool.leased == 0 && pool.queue.isEmpty();
    }

    // ------------------------------------------------------------------------------------------
    // Unused budgets are forgotten (see ServerBudgets#forgetUnused)

    synchronized void addUser() {
        users++;
        unusedSinceNanos = 0;
    }

    synchronized void removeUser() {
        users = Math.max(0, users - 1);
    }

    /** How long nothing at all has used this budget, in nanoseconds; 0 while anything does. */
    synchronized long unusedSince(long nowNanos) {
        if (users > 0 || permits > 0 || !waiting.isEmpty() || !permitWaiters.isEmpty() || !pools.isEmpty()) {
            unusedSinceNanos = 0;
            return 0;
        }
        if (unusedSinceNanos == 0) {
            unusedSinceNanos = nowNanos;
        }
        return nowNanos - unusedSinceNanos;
    }

    /** Work decided under the lock, started once it is released. */
    static final class Actions {
        private List<Runnable> runnables;

        void add(Runnable runnable) {
            if (runnables == null) {
                runnables = new ArrayList<>(2);
            }
            runnables.add(runnable);
        }

        void run() {
            if (runnables == null) {
                return;
            }
            for (Runnable runnable : runnables) {
                try {
                    runnable.run();
                } catch (RuntimeException e) {
                    LOG.warnf(e, "governor action failed");
                }
            }
        }
    }
}
