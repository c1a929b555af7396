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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One database server ({@code host:port}): its connection budget, and every connection the
 * governor holds to it, whichever tenant they serve. Tenant pools ({@link TenantPool}) queue their
 * requests here; this class carries out what its parts decide, and is the only one that locks or
 * does I/O (connects, moves, closes, probes, timers, callbacks).
 *
 * <p><b>Parts</b>, each with its rule in its class comment and its own unit test; none holds a
 * lock, a {@code Vertx} or a connection: {@link ServerPermits} (the budget), {@link ServerShare}
 * (this instance's share of it), {@link HandOverRules} (who gets the next connection),
 * {@link ServerHealth} (the stall detector), {@link ServerLinks} (the connections and their pools),
 * {@link ServerCounters}.
 *
 * <p><b>Invariants</b>, and the tests that prove them:
 * <ul>
 *   <li><b>Budget.</b> Permits never exceed the limit in force; each is taken before its connect
 *       and given back exactly once, after its close is observed plus {@code release-grace}: a
 *       server counts a connection until it has torn it down ({@code PermitExactnessTest},
 *       {@code ServerBudgetRulesTest.aConnectionsPermitComesBackExactlyOnceWhateverClosesIt}).</li>
 *   <li><b>Fair share by active demand</b>, <b>quantum</b>, <b>linger</b> and <b>patience</b> (see
 *       {@link HandOverRules}; {@code FairShareTest}, and {@code ServerBudgetRulesTest} names each rule).
 *       A busy connection is never taken away.</li>
 *   <li><b>Move, don't reconnect.</b> On MySQL/MariaDB a connection changes tenant with
 *       {@code changeUser} ({@link Connector#move}) when both use the same TLS mode; otherwise it
 *       is closed and its permit passes straight to the receiver's connect, so nobody can take it
 *       in between ({@code HandOverTest}).</li>
 *   <li><b>Bounded waits.</b> Every queued request ends: served, or failed at its acquire timeout
 *       with {@code acquire-timeout} or {@code server-budget-exhausted}, or at once with
 *       {@code tenant-database-stalled} ({@code GovernorRejectionTypesTest}, {@code FrozenServerFailsFastTest}).</li>
 * </ul>
 *
 * <p><b>Concurrency.</b> One monitor guards every field of this server and its parts, its tenant
 * pools' queues and connections, and every state transition of a {@link Link} on it: each
 * transition is one step under the lock. No I/O, callback or log line runs under it: work decided
 * under the lock is collected and started after it is released ({@link AfterLock}, through
 * {@link #locked}; the lease and release paths write that out for speed).
 */
public final class ServerBudget {

    private static final Logger LOG = Logger.getLogger(ServerBudget.class);

    /** Whether the server answers; see {@link ServerHealth} for the transitions. */
    public enum Health { HEALTHY, SUSPECT, STALLED }

    private final String server;
    private final Vertx vertx;
    private final Connector connector;
    private final ServerSettings.Connections settings;

    // The parts: no lock, no I/O of their own; called under this object's lock.
    private final ServerShare share;
    private final ServerPermits permits = new ServerPermits();
    private final HandOverRules rules;
    private final ServerHealth health;
    private final ServerCounters counters = new ServerCounters();

    /** Told when a request queues because the limit in force is reached (the share may grow). */
    private volatile Runnable shareLimited = () -> { };

    /**
     * The connections and their pools. A PostgreSQL close waits for the server to end the
     * connection (Vert.x half-closes the socket), so a frozen server leaves closing ones there,
     * holding their permits; the stall detector counts them as calls in flight.
     */
    private final ServerLinks links = new ServerLinks();
    private final ArrayDeque<PermitWaiter> permitWaiters = new ArrayDeque<>();

    /** A dispatch is scheduled for when a patient tenant's wait ends (see {@link HandOverRules#patienceLeft}). */
    private boolean patienceTimerSet;

    /** Pools and migrations that may take permits; see {@link ServerBudgets#use}. */
    private int users;
    /** When the budget last became entirely unused (no user, permit or waiter); 0 while in use. */
    private long unusedSinceNanos = System.nanoTime();

    /** A migration's wait for a bare permit (its JDBC connection is opened by Flyway). */
    private static final class PermitWaiter {
        final Promise<Void> promise = Promise.promise();
        final String holder;
        long timer;

        PermitWaiter(String holder) {
            this.holder = holder;
        }
    }

    /**
     * @param budget the configured budget; with {@code leased}, that of all replicas together, and
     *               this instance's share starts at zero (see {@link ServerShare})
     */
    ServerBudget(String server, int budget, boolean leased, Vertx vertx, Connector connector, ServerSettings settings) {
        if (budget < 0) {
            throw new IllegalArgumentException("budget of " + server + " must not be negative");
        }
        this.server = server;
        this.share = new ServerShare(budget, leased);
        this.vertx = vertx;
        this.connector = connector;
        this.settings = settings.connections();
        this.rules = new HandOverRules(settings.handOver());
        this.health = new ServerHealth(settings.health(), System.nanoTime());
    }

    /** Runs {@code step} under the lock, then the work it decided, after the lock is released. */
    private void locked(Consumer<AfterLock> step) {
        AfterLock actions = new AfterLock();
        synchronized (this) {
            step.accept(actions);
        }
        actions.run();
    }

    /** After the lock: a timer that runs {@code step} under the lock {@code nanos} from now. */
    private void later(long nanos, Consumer<AfterLock> step, AfterLock actions) {
        actions.add(() -> vertx.setTimer(millis(nanos), id -> locked(step)));
    }

    private static long millis(long nanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    // ------------------------------------------------------------------------------------------
    // Leasing: the tenant pools' way in

    /**
     * A connection of the pool's tenant: an idle one at once, else the request queues (bounded) and
     * the server is asked to provide one. Fails with {@link TenantPool.Retired} if the pool stopped
     * admitting, {@link GovernorRejection} when the queue is full or the wait times out.
     */
    Future<Link> lease(TenantPool pool, TenantPool.Waiter waiter) {
        // The explicit form of locked(): this is the hot path, and it returns a value.
        AfterLock actions = new AfterLock();
        Future<Link> leased;
        synchronized (this) {
            leased = lease(pool, waiter, actions);
        }
        actions.run();
        return leased;
    }

    private Future<Link> lease(TenantPool pool, TenantPool.Waiter waiter, AfterLock actions) {
        if (pool.state != TenantPool.State.LIVE) {
            return Future.failedFuture(TenantPool.Retired.INSTANCE);
        }
        long now = System.nanoTime();
        if (health.health() == Health.STALLED) {
            checkHealth(now, actions); // time for the next probe?
            return answerStalled();
        }
        Link link = links.takeIdle(pool);
        if (link != null) {
            ServerLinks.lend(link, now);
            return Future.succeededFuture(link);
        }
        checkHealth(now, actions);
        if (pool.queue.size() >= settings.maxWaitQueue()) {
            return Future.failedFuture(counters.refusal(GovernorRejection.Reason.TENANT_QUEUE_FULL,
                    "too many requests are waiting for tenant " + pool.key() + "; retry shortly"));
        }
        pool.queue.addLast(waiter);
        // Set under the lock, so a delivery on another thread always finds the timer set.
        waiter.timer = vertx.setTimer(millis(settings.acquireTimeoutNanos()), id -> timedOut(pool, waiter));
        rules.seek(pool);
        dispatch(actions);
        if (share.leased() && !permits.below(cap())) {
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
        AfterLock actions = new AfterLock(); // the explicit form of locked(): the hot path
        synchronized (this) {
            TenantPool pool = link.owner;
            if (link.state != Link.State.LEASED) {
                // Closed by its peer while leased: nothing to give back but the lease.
                if (pool != null) {
                    pool.leased = Math.max(0, pool.leased - 1);
                    afterLeaseEnded(pool, actions);
                }
            } else {
                long now = System.nanoTime();
                pool.leased--;
                link.quantumUsed++;
                if (reusable) {
                    replied(now, now - link.leasedAtNanos, actions);
                    if (pool.state != TenantPool.State.LIVE && pool.queue.isEmpty()) {
                        TenantPool other = rules.neediest(pool);
                        if (other != null) {
                            handOver(link, other, actions); // a retired pool's connection still serves someone
                        } else {
                            beginClose(link, actions, false);
                        }
                    } else if (now - link.createdNanos > settings.maxLifetimeNanos()) {
                        actions.add(() -> LOG.debugf("replacing %s: older than the maximum lifetime", link));
                        beginClose(link, actions, false);
                    } else {
                        place(link, now, actions);
                    }
                } else {
                    beginClose(link, actions, true);
                }
                afterLeaseEnded(pool, actions);
            }
            dispatch(actions);
        }
        actions.run();
    }

    /** Carries out {@link HandOverRules#place} for a connection that just became free. */
    private void place(Link link, long now, AfterLock actions) {
        int cap = cap();
        if (permits.excessOver(cap) > 0) {
            shed(link, actions); // the share shrank: this one is given back, not passed on
            return;
        }
        TenantPool pool = link.owner;
        TenantPool other = rules.neediest(pool);
        switch (rules.place(pool, other, link.quantumUsed, cap, links.pools())) {
            case OWN_FRESH -> {
                link.quantumUsed = 0;
                deliver(pool, link, now, actions);
            }
            case IDLE -> links.makeIdle(link, now, true);
            case OWN -> deliver(pool, link, now, actions);
            case LINGER -> linger(link, now, actions);
            case HAND_OVER -> {
                handOver(link, other, actions);
                rules.rejoin(pool);
            }
        }
    }

    /** Idle, but kept for its tenant for a moment: not yet offered to the waiting tenants. */
    private void linger(Link link, long now, AfterLock actions) {
        links.makeIdle(link, now, false);
        long generation = ++link.lingerGeneration;
        later(rules.settings().lingerNanos(), then -> {
            if (links.lingerEnded(link, generation)) {
                dispatch(then);
            }
        }, actions);
    }

    /** Lends a connection to the next queued request of its tenant. */
    private void deliver(TenantPool pool, Link link, long now, AfterLock actions) {
        TenantPool.Waiter waiter = pool.queue.pollFirst();
        ServerLinks.lend(link, now);
        vertx.cancelTimer(waiter.timer);
        if (pool.queue.isEmpty()) {
            rules.leave(pool);
        }
        actions.add(() -> waiter.deliver(link));
    }

    /**
     * Gives a free connection to another tenant: moved when both speak MySQL with the same TLS mode,
     * otherwise closed with its permit reserved for the receiver's connect.
     */
    private void handOver(Link link, TenantPool to, AfterLock actions) {
        links.detach(link);
        link.quantumUsed = 0;
        if (movable(link, to)) {
            link.state = Link.State.MOVING;
            link.owner = to;
            to.links.add(link);
            to.incoming++;
            rules.satisfied(to);
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
        rules.satisfied(to);
    }

    private void moved(Link link, TenantPool to, Throwable failure) {
        locked(actions -> {
            to.incoming--;
            if (link.state == Link.State.CLOSING && link.connection != null) {
                // Closed while moving (the pool closed, the application stops): close it now.
                closeNow(link, DatabaseKind.MYSQL, false, actions);
            } else if (link.state != Link.State.MOVING) {
                // closed by its peer under us
            } else if (failure != null) {
                actions.add(() -> LOG.debugf("moving %s to tenant %s failed; reconnecting: %s", link, to.key(),
                        failure.toString()));
                to.links.remove(link);
                reserve(link, to);
                beginClose(link, actions, false);
            } else {
                counters.moves.increment();
                long now = System.nanoTime();
                replied(now, -1, actions);
                if (to.state == TenantPool.State.CLOSED) {
                    beginClose(link, actions, false);
                } else {
                    place(link, now, actions);
                }
            }
            dispatch(actions);
        });
    }

    /**
     * Matches free capacity to waiting tenants, neediest first: a free permit becomes a connect, an
     * idle connection of another tenant becomes a hand-over, migrations waiting for a bare permit
     * go first. Stops when nothing is free or nobody waits.
     */
    private void dispatch(AfterLock actions) {
        shedExcess(actions);
        while (!permitWaiters.isEmpty()) {
            if (permits.below(cap())) {
                PermitWaiter migration = permitWaiters.pollFirst();
                permits.takeFor(migration.holder);
                vertx.cancelTimer(migration.timer);
                actions.add(migration.promise::complete);
            } else if (links.anyIdle()) {
                beginClose(links.oldestIdle(), actions, false);
                break; // its permit comes back on close
            } else {
                break;
            }
        }
        while (rules.anyoneWaiting()) {
            TenantPool next = rules.neediest(null);
            if (next == null) {
                break;
            }
            if (permits.below(cap())) {
                permits.take();
                startConnect(next, actions);
                rules.satisfied(next);
                continue;
            }
            Link victim = links.oldestIdleNotOf(next);
            if (victim == null || patient(next, victim, actions)) {
                break;
            }
            handOver(victim, next, actions);
        }
    }

    /** Whether {@code pool} waits for its own busy connections a little longer; if so, a dispatch is timed for then. */
    private boolean patient(TenantPool pool, Link victim, AfterLock actions) {
        long left = rules.patienceLeft(pool, movable(victim, pool), System.nanoTime());
        if (left <= 0) {
            return false;
        }
        if (!patienceTimerSet) {
            patienceTimerSet = true;
            later(left, then -> {
                patienceTimerSet = false;
                dispatch(then);
            }, actions);
        }
        return true;
    }

    /** A hand-over of this connection to {@code to} would be a move ({@code changeUser}), not a reconnect. */
    private static boolean movable(Link link, TenantPool to) {
        TenantPool from = link.owner;
        return to.kind() == DatabaseKind.MYSQL && from != null && from.kind() == DatabaseKind.MYSQL
                && from.tlsMode() == to.tlsMode() && link.connection != null;
    }

    // ------------------------------------------------------------------------------------------
    // Connect and close

    private void startConnect(TenantPool pool, AfterLock actions) {
        Link link = links.connecting(this, pool);
        counters.connects.increment();
        actions.add(() -> connector.connect(pool.route(), this::lateEnd)
                .onComplete(done -> connected(link, done.result(), done.cause())));
    }

    private void connected(Link link, SqlConnection connection, Throwable failure) {
        AfterLock actions = new AfterLock();
        TenantPool pool;
        synchronized (this) {
            pool = link.owner;
            pool.incoming--;
            long now = System.nanoTime();
            if (failure != null) {
                if (failure instanceof ConnectTimeout) {
                    health.connectTimedOut(now);
                }
                link.state = Link.State.CLOSED;
                links.closed(link);
                givePermitBack(link, actions);
                // The request that asked for it learns why (refused, rejected credentials, timed out).
                TenantPool.Waiter waiter = pool.queue.pollFirst();
                if (waiter != null) {
                    vertx.cancelTimer(waiter.timer);
                    Throwable why = health.health() == Health.HEALTHY ? failure : stalledRefusal();
                    actions.add(() -> waiter.fail(why));
                }
                if (pool.queue.isEmpty()) {
                    rules.leave(pool);
                }
                dispatch(actions);
            } else {
                connectedOk(link, pool, connection, now, actions);
            }
        }
        actions.run();
        if (failure == null) {
            pool.onFirstConnection(this, connection);
        }
    }

    private void connectedOk(Link link, TenantPool pool, SqlConnection connection, long now, AfterLock actions) {
        replied(now, -1, actions);
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
            place(link, now, actions);
            dispatch(actions);
        }
    }

    /** Starts closing; the permit comes back once the close is observed (see {@link #closed}). */
    private void beginClose(Link link, AfterLock actions, boolean abandoned) {
        if (link.state == Link.State.CLOSING || link.state == Link.State.CLOSED) {
            return;
        }
        Link.State was = link.state;
        link.state = Link.State.CLOSING;
        links.detach(link);
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
    private void closeNow(Link link, DatabaseKind kind, boolean abandoned, AfterLock actions) {
        SqlConnection connection = link.connection;
        links.closeSent(link, System.nanoTime());
        actions.add(() -> connector.close(connection, kind, server, abandoned).onComplete(done -> closed(link)));
    }

    /** Vert.x saw the connection close, whoever closed it: the only place a link becomes CLOSED. */
    private void closed(Link link) {
        locked(actions -> {
            if (link.state == Link.State.CLOSED) {
                return;
            }
            Link.State was = link.state;
            link.state = Link.State.CLOSED;
            links.closed(link);
            if (was == Link.State.LEASED && link.owner != null) {
                actions.add(() -> LOG.debugf("%s closed by its server while in use", link));
            }
            givePermitBack(link, actions);
            dispatch(actions);
        });
    }

    /**
     * The one way a connection's permit comes back: after the release grace (the server counts a
     * connection until it has torn it down), it passes to the tenant it was reserved for, or returns.
     */
    private void givePermitBack(Link link, AfterLock actions) {
        if (settings.releaseGraceNanos() <= 0) {
            settlePermit(link, actions);
        } else {
            later(settings.releaseGraceNanos(), then -> settlePermit(link, then), actions);
        }
    }

    private void settlePermit(Link link, AfterLock actions) {
        permits.settle(link);
        counters.permitsReturned.increment();
        TenantPool heir = link.reservedFor;
        link.reservedFor = null;
        if (heir != null) {
            heir.incoming--;
            heir.reserved--;
            if (heir.state != TenantPool.State.CLOSED && heir.wanted() > 0) {
                if (permits.passes(cap())) {
                    counters.reconnects.increment();
                    startConnect(heir, actions); // the permit passes on, never back to the pool of permits
                    rules.satisfied(heir);
                    return;
                }
                rules.seek(heir); // the share shrank meanwhile: it waits like everyone else
            }
        }
        permits.giveBack(1);
        dispatch(actions);
    }

    /** A pool's lease ended or its queue changed: a draining pool may now close. */
    private void afterLeaseEnded(TenantPool pool, AfterLock actions) {
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
            boolean forBudget = rules.isWaiting(pool) && pool.links.isEmpty();
            rejection = forBudget ? exhausted()
                    : counters.refusal(GovernorRejection.Reason.ACQUIRE_TIMEOUT,
                    "no connection of tenant " + pool.key() + " became free in time; retry shortly");
            if (pool.queue.isEmpty()) {
                rules.leave(pool);
            }
        }
        waiter.fail(rejection);
    }

    /** A request gave up waiting (its deadline passed, its caller left): it leaves the queue. */
    synchronized void abandonWait(TenantPool pool, TenantPool.Waiter waiter) {
        if (pool.queue.remove(waiter)) {
            vertx.cancelTimer(waiter.timer);
            if (pool.queue.isEmpty()) {
                rules.leave(pool);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Server health: ServerHealth decides, this carries it out

    /** The answer to a request for a stalled server's connection; counted once answered. */
    GovernorRejection stalledRefusal() {
        return counters.refusal(GovernorRejection.Reason.DATABASE_STALLED, "the database server of this tenant"
                + " stopped answering; its requests fail fast until it answers again; retry shortly");
    }

    /**
     * The refusal for a request that finds the server stalled, given after {@code stall.answer-delay}:
     * clients that ignore {@code Retry-After} and ask again at once would otherwise turn fast 503s
     * into a loop that takes the CPU the other servers' tenants need.
     */
    private Future<Link> answerStalled() {
        GovernorRejection refusal = stalledRefusal();
        long delay = health.settings().answerDelayNanos();
        if (delay <= 0) {
            return Future.failedFuture(refusal);
        }
        Promise<Link> answer = Promise.promise();
        vertx.setTimer(millis(delay), id -> answer.fail(refusal));
        return answer.future();
    }

    /** Whether the server is answering (not suspected or found stalled). */
    boolean answering() {
        return health.health() == Health.HEALTHY;
    }

    /** The server answered (a statement ended, a connect or move completed): it is not stalled. */
    private void replied(long now, long leaseNanos, AfterLock actions) {
        recovered(health.replied(now, leaseNanos), actions);
    }

    /** {@code was}: the health the server left on a reply, null if it was healthy. */
    private void recovered(Health was, AfterLock actions) {
        if (was != null) {
            long silentMillis = health.endedSpellNanos() / 1_000_000;
            actions.add(() -> LOG.infof("server %s answers again (%s for %d ms)", server,
                    was == Health.STALLED ? "stalled" : "suspected", silentMillis));
            dispatch(actions);
        }
    }

    /** A connect that had timed out ended after all; if on the server's answer, the server answers again. */
    private void lateEnd(boolean answered) {
        locked(actions -> {
            health.lateConnectEnded();
            if (answered) {
                replied(System.nanoTime(), -1, actions);
            }
        });
    }

    /** Runs on every request that finds no idle connection and from the health timer. */
    private void checkHealth(long now, AfterLock actions) {
        long lastReply = health.lastReplyNanos();
        switch (health.check(now, links::oldestInFlight)) {
            case NONE -> { }
            case SUSPECT -> {
                actions.add(() -> LOG.debugf("server %s gave no reply for %d ms with calls in flight; probing it",
                        server, (now - lastReply) / 1_000_000));
                probe(now, actions);
            }
            case PROBE -> probe(now, actions);
        }
    }

    /**
     * One probe at a time: a {@code SELECT 1} on an idle connection, else a connect with a free
     * permit (closed at once). Any reply, success or error, means the server answers; none within
     * the probe timeout makes it STALLED. With neither an idle connection nor a free permit, it
     * stays SUSPECT (requests still queue) until a call outlives the statement timeout by the
     * threshold: a live server would have stopped it by then.
     */
    private void probe(long now, AfterLock actions) {
        long timeoutMillis = millis(health.settings().probeTimeoutNanos());
        Link idleLink = links.oldestIdle();
        if (idleLink != null) {
            health.probed(now, true);
            links.unIdle(idleLink);
            ServerLinks.lend(idleLink, now);
            idleLink.probe = true;
            SqlConnection connection = idleLink.connection;
            actions.add(() -> {
                long timer = vertx.setTimer(timeoutMillis, id -> probeUnanswered());
                connection.preparedQuery("SELECT 1").execute().onComplete(done -> {
                    vertx.cancelTimer(timer);
                    locked(later -> {
                        recovered(health.probeAnswered(System.nanoTime()), later);
                        idleLink.probe = false;
                    });
                    release(idleLink, done.succeeded());
                });
            });
            return;
        }
        TenantPool any = links.anyLivePool();
        if (permits.below(cap()) && any != null) {
            health.probed(now, true);
            permits.take();
            counters.connects.increment();
            var route = any.route();
            actions.add(() -> {
                long timer = vertx.setTimer(timeoutMillis, id -> probeUnanswered());
                connector.connect(route, this::lateEnd).onComplete(done -> {
                    vertx.cancelTimer(timer);
                    boolean answered = done.succeeded() || Connector.isAnswer(done.cause());
                    // Connected or refused: either way the server answers. No answer: a late one
                    // still ends the stall (lateEnd).
                    locked(later -> {
                        long at = System.nanoTime();
                        if (answered) {
                            recovered(health.probeAnswered(at), later);
                        } else {
                            health.probeFailed(at, done.cause() instanceof ConnectTimeout);
                        }
                    });
                    AfterLock giveBack = new AfterLock();
                    later(settings.releaseGraceNanos(), freed -> {
                        permits.giveBack(1);
                        counters.permitsReturned.increment();
                        dispatch(freed);
                    }, giveBack);
                    if (done.succeeded()) {
                        done.result().close().onComplete(closed -> giveBack.run());
                    } else {
                        giveBack.run();
                    }
                });
            });
            return;
        }
        health.probed(now, false);
        if (health.outlivedStatementTimeout(now, links.oldestInFlight())) {
            becomeStalled(now, actions);
        }
    }

    /** The probe timeout passed with the probe's call still out: the server is stalled. */
    private void probeUnanswered() {
        locked(actions -> {
            long now = System.nanoTime();
            if (health.probeUnanswered(now)) {
                becomeStalled(now, actions);
            }
        });
    }

    /**
     * Every request of the server's tenants fails fast now, queued or on a connection (the calls in
     * flight are cut off as a deadline would cut them off: their connections are closed), and new
     * ones fail fast until a reply.
     */
    private void becomeStalled(long now, AfterLock actions) {
        long silentMillis = (now - health.lastReplyNanos()) / 1_000_000;
        if (health.stall(now)) {
            actions.add(() -> LOG.warnf("server %s stalled: no reply for %d ms with calls in flight, and none to a"
                    + " probe; its tenants' requests fail fast (tenant-database-stalled) until it answers", server,
                    silentMillis));
            for (TenantPool pool : links.pools()) {
                for (Link link : List.copyOf(pool.links)) {
                    Runnable abort = link.abort;
                    if (link.state == Link.State.LEASED && !link.probe && abort != null) {
                        actions.add(abort);
                        beginClose(link, actions, true);
                    }
                }
            }
        }
        for (TenantPool pool : links.pools()) {
            failQueued(pool, this::stalledRefusal, actions);
        }
    }

    /** Every request queued for the pool fails with a refusal of its own; the pool stops waiting. */
    private void failQueued(TenantPool pool, Supplier<GovernorRejection> refusal, AfterLock actions) {
        for (TenantPool.Waiter waiter : pool.queue) {
            vertx.cancelTimer(waiter.timer);
            GovernorRejection why = refusal.get();
            actions.add(() -> waiter.fail(why));
        }
        pool.queue.clear();
        rules.leave(pool);
    }

    /** The health timer's look at the server (see {@link TenantPools}). */
    void checkHealth() {
        locked(actions -> {
            long now = System.nanoTime();
            long paused = health.noticePause(now);
            if (paused > 0) {
                actions.add(() -> LOG.debugf("server %s: this process did not run for %d ms; that silence is not"
                        + " the server's", server, paused / 1_000_000));
            }
            checkHealth(now, actions);
        });
    }

    public Health health() {
        return health.health();
    }

    /** Times the server was found stalled since start. */
    public long stalls() {
        return health.stalls();
    }

    /** A lease held longer than the long-lease threshold, still held. */
    record LongLease(StatementLog.Caller caller, long heldNanos) {
    }

    /**
     * Leases held past {@code thresholdNanos} and not reported yet, each reported once: the sweep
     * that replaces a timer per lease (run by {@link TenantPools}' health timer).
     */
    synchronized List<LongLease> longLeases(long thresholdNanos, long now) {
        return links.longLeases(thresholdNanos, now);
    }

    // ------------------------------------------------------------------------------------------
    // Pools coming and going

    synchronized void register(TenantPool pool) {
        links.pools().add(pool);
    }

    /** Stops the pool admitting work; its queued and running work finishes, then it closes. */
    void retire(TenantPool pool) {
        locked(actions -> {
            if (pool.state == TenantPool.State.LIVE) {
                pool.state = TenantPool.State.DRAINING;
                afterLeaseEnded(pool, actions);
                dispatch(actions);
            }
        });
    }

    /** Closes a pool now, whatever it is doing: the drain timeout passed, or the application stops. */
    void forceClose(TenantPool pool) {
        locked(actions -> {
            failQueued(pool, () -> new GovernorRejection(GovernorRejection.Reason.SHUTTING_DOWN,
                    "the pool of tenant " + pool.key() + " closed; retry"), actions);
            for (Link link : List.copyOf(pool.links)) {
                beginClose(link, actions, link.state == Link.State.LEASED);
            }
            closePool(pool, actions);
        });
    }

    private void closePool(TenantPool pool, AfterLock actions) {
        for (Link link : List.copyOf(pool.links)) {
            if (link.state == Link.State.IDLE) {
                beginClose(link, actions, false);
            }
        }
        if (pool.state != TenantPool.State.CLOSED) {
            pool.state = TenantPool.State.CLOSED;
            rules.leave(pool);
            links.pools().remove(pool);
            actions.add(pool::closed);
        }
    }

    /** Closes idle connections past the idle timeout or their lifetime, oldest first; stops at the first young one. */
    void sweep(long nowNanos) {
        locked(actions -> {
            for (Link link : links.expired(nowNanos, settings.idleTimeoutNanos(), settings.maxLifetimeNanos())) {
                beginClose(link, actions, false);
            }
        });
    }

    // ------------------------------------------------------------------------------------------
    // Bare permits, for migrations (JDBC connections opened by Flyway)

    /**
     * A permit for a connection the caller opens itself, now or within {@code timeoutMillis}; an
     * idle connection of any tenant is closed to free one. Fails with
     * {@code server-budget-exhausted} when the wait ends.
     */
    public Future<Void> acquire(String holder, long timeoutMillis) {
        AfterLock actions = new AfterLock();
        PermitWaiter waiter;
        synchronized (this) {
            if (permitWaiters.isEmpty() && permits.below(cap()) && !rules.anyoneWaiting()) {
                permits.takeFor(holder);
                return Future.succeededFuture();
            }
            // A leased budget at zero may be granted a share at its next renewal: wait for it.
            if ((cap() == 0 && !share.leased()) || timeoutMillis <= 0) {
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

    /** Gives back permits taken with {@link #acquire}; refuses more than {@code holder} holds. */
    public void release(String holder, int count) {
        if (count > 0) {
            locked(actions -> {
                permits.giveBack(holder, count, server);
                dispatch(actions);
            });
        }
    }

    private GovernorRejection exhausted() {
        return counters.refusal(GovernorRejection.Reason.SERVER_BUDGET_EXHAUSTED,
                "the connection budget of this tenant's database server is in use; retry shortly");
    }

    // ------------------------------------------------------------------------------------------
    // The share: ServerShare decides, this retires what is over it

    public String server() {
        return server;
    }

    /** The limit in force now (see {@link ServerShare#cap}). */
    private int cap() {
        return share.cap(System.nanoTime());
    }

    /**
     * A renewal succeeded: this instance may use {@code share} until {@code fullForNanos} after
     * {@code sentNanos} (when the renewal was sent, before the registry stamped it), then
     * {@code floor} until {@code floorForNanos} after it. A smaller share sheds the excess at
     * once: idle connections close now, busy ones when their work ends.
     */
    void grant(int share, int floor, long sentNanos, long fullForNanos, long floorForNanos) {
        locked(actions -> {
            this.share.grant(share, floor, sentNanos, fullForNanos, floorForNanos);
            dispatch(actions);
        });
    }

    /** Applies a limit that fell with time (no renewal): the excess is shed now rather than on next use. */
    void enforceCap() {
        if (share.leased()) {
            locked(actions -> {
                share.demand(demandNow());
                shedExcess(actions);
            });
        }
    }

    void onShareLimited(Runnable action) {
        this.shareLimited = action;
    }

    /** Connections in use or connecting, plus those wanted by waiting tenants and migrations. */
    private int demandNow() {
        return permitWaiters.size() + permits.heldByHolders() + links.demand();
    }

    /**
     * Sheds connections above the limit in force: idle ones (oldest first, lingering ones too)
     * close now; busy and connecting ones are shed by {@link #place} when they become free.
     * Permits of connections already being shed are not counted again, so no more close than the excess.
     */
    private void shedExcess(AfterLock actions) {
        int excess = permits.excessOver(cap());
        if (excess > 0) {
            for (Link link : links.idleToShed(excess)) {
                shed(link, actions);
            }
        }
    }

    private void shed(Link link, AfterLock actions) {
        permits.shed(link);
        beginClose(link, actions, false);
    }

    /** What the lease protocol publishes for this server; see {@link ReplicaLeases}. */
    synchronized LeaseView leaseView() {
        int now = demandNow();
        return new LeaseView(share.share(), cap(), share.floor(), permits.held(), share.fleetBudget(), inUse(),
                share.demandPeak(now));
    }

    /** The renewal read the demand: the peak starts over from what is wanted now. */
    synchronized void demandPublished() {
        share.demandPublished(demandNow());
    }

    /**
     * @param share   the share granted by the last renewal
     * @param cap     the limit in force now (the share, the minimum or zero)
     * @param floor   the minimum it keeps while renewals fail
     * @param permits the permits held, shed ones included: what this instance may be using
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
     * Lowers the budget to what the server allows, once (see {@link ServerShare#derive}).
     * Connections already open above the new limit stay until they close; no new one is opened
     * until the total is below it. Returns {@code false} if the limit was already derived.
     */
    public synchronized boolean deriveLimit(int serverAllows) {
        return share.derive(serverAllows);
    }

    public synchronized boolean isDerived() {
        return share.derived();
    }

    // ------------------------------------------------------------------------------------------
    // What it holds and has done

    /** Permits held right now: every connection connecting, open or closing, and migrations'. */
    public synchronized int granted() {
        return permits.held();
    }

    /** Tenants waiting for one of this server's connections, plus migrations waiting for a permit. */
    public synchronized int waiting() {
        return permitWaiters.size() + rules.wanted();
    }

    /** Connections (of any state but closed) the tenant holds, plus its migrations' permits. */
    public synchronized int heldBy(String tenant) {
        return permits.heldBy(tenant) + links.heldBy(tenant);
    }

    /** Requests answered {@code server-budget-exhausted}: they waited for this server's budget in vain. */
    public long rejected() {
        return counters.refused(GovernorRejection.Reason.SERVER_BUDGET_EXHAUSTED);
    }

    /** Requests answered with each refusal of this server (problem type slug to count), since start. */
    public Map<String, Long> refusals() {
        return counters.refusals();
    }

    /** Physical connects started to this server. */
    public long connects() {
        return counters.connects.sum();
    }

    /** Connections handed to another tenant with {@code changeUser}. */
    public long moves() {
        return counters.moves.sum();
    }

    /** Hand-overs done by closing a connection and connecting for the receiving tenant. */
    public long reconnects() {
        return counters.reconnects.sum();
    }

    /** Permits given back after their connection closed (each exactly once). */
    public long permitsReturned() {
        return counters.permitsReturned.sum();
    }

    /** Connections connecting, open or closing: 0 once every close has been observed. */
    public synchronized int liveConnections() {
        return links.live();
    }

    /** A consistent view of this server, for stats. */
    synchronized ServerView view() {
        int open = 0;
        int inUse = 0;
        for (TenantPool pool : links.pools()) {
            open += ServerLinks.openOf(pool);
            inUse += pool.leased;
        }
        return new ServerView(open, inUse, links.idleCount(), waiting(), cap(), permits.held(), rejected());
    }

    record ServerView(int open, int inUse, int idle, int waiting, int limit, int permits, long rejected) {
    }

    /** One tenant's part of this server, for stats. */
    synchronized TenantPool.View view(TenantPool pool) {
        return new TenantPool.View(ServerLinks.openOf(pool), pool.leased, pool.idle.size(), pool.queue.size());
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

    private boolean inUse() {
        return users > 0 || permits.held() > 0 || rules.anyoneWaiting() || !permitWaiters.isEmpty()
                || !links.pools().isEmpty();
    }

    /** How long nothing at all has used this budget, in nanoseconds; 0 while anything does. */
    synchronized long unusedSince(long nowNanos) {
        if (inUse()) {
            unusedSinceNanos = 0;
            return 0;
        }
        if (unusedSinceNanos == 0) {
            unusedSinceNanos = nowNanos;
        }
        return nowNanos - unusedSinceNanos;
    }
}
