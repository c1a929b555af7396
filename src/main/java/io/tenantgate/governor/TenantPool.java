package io.tenantgate.governor;

import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;
import io.tenantgate.governor.resilience.TenantGuard;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.platform.observability.CallContext;
import io.tenantgate.platform.observability.StatementLog;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.SqlConnection;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One tenant's share of its database server: its connections, its queue of waiting requests and
 * its circuit breaker. The connections themselves are scheduled by the server
 * ({@link ServerBudget}), whose lock guards every mutable field here.
 *
 * <p>State machine of a pool (transitions under the server's lock):
 * <pre>
 *   LIVE ──retire (evicted, replaced, suspended, idle, shutdown)──▶ DRAINING ──last work done──▶ CLOSED
 *     └────────────────────────────force close (drain timeout, stop)───────────────────────────▶ CLOSED
 * </pre>
 * A LIVE pool admits work; a DRAINING one serves what it has queued and running, then closes its
 * connections; work that finds it no longer LIVE gets {@link Retired} and is retried on the
 * tenant's new pool by {@link TenantSql}.
 *
 * <p>Every lease is given back on every path (success, failure, cancellation): cancelled work
 * gives its connection back as not reusable, and it is closed, since a statement may still run
 * on it. A connection that arrives for a request that was cancelled meanwhile is given back at once.
 */
final class TenantPool {

    enum State { LIVE, DRAINING, CLOSED }

    /** The pool stopped admitting work before this work got in; the caller takes the new pool. */
    static final class Retired extends RuntimeException {
        static final Retired INSTANCE = new Retired();

        private Retired() {
            super("pool retired", null, false, false);
        }
    }

    /** A request waiting for one of the tenant's connections. */
    static final class Waiter {
        final Promise<Link> promise = Promise.promise();
        final Context context;
        final long enqueuedNanos = System.nanoTime();
        long timer;

        Waiter(Context context) {
            this.context = context;
        }

        /** Completes on the requester's own context, where its work continues. */
        void deliver(Link link) {
            if (context == null || Vertx.currentContext() == context) {
                promise.tryComplete(link);
            } else {
                context.runOnContext(v -> promise.tryComplete(link));
            }
        }

        void fail(Throwable failure) {
            if (context == null || Vertx.currentContext() == context) {
                promise.tryFail(failure);
            } else {
                context.runOnContext(v -> promise.tryFail(failure));
            }
        }
    }

    /**
     * Per-server timers: how long work waited for a connection, how long it held one (the tenant's
     * statements plus their round trips), and each statement. Recording never fails the work.
     */
    record Timings(Timer acquireWait, Timer lease, Timer statement) {
        void record(Timer timer, long startNanos) {
            try {
                timer.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
            } catch (RuntimeException ignored) {
                // metrics must never break a request
            }
        }
    }

    /** What the pool holds right now: connections open (or connecting), in use, idle; requests waiting. */
    record View(int open, int inUse, int idle, int waiting) {
    }

    private final TenantRoute route;
    private final TenantRoute.PoolIdentity identity;
    private final ServerBudget server;
    private final TenantGuard guard;
    private final Timings timings;
    private final StatementLog statements;
    private final Consumer<TenantPool> onClosed;
    private final Consumer<io.vertx.sqlclient.SqlConnection> onFirstConnection;
    final int maxSize;
    final Instant createdAt = Instant.now();
    private final LongAdder uses = new LongAdder();
    private volatile long lastUsedNanos = System.nanoTime();
    volatile long drainDeadlineNanos;
    /**
     * The route object last found to have this pool's identity: the directory hands out the same
     * object until it reloads the route, so the identity (a digest of the password) is computed
     * once per load, not per request.
     */
    volatile TenantRoute verifiedRoute;

    // Guarded by the server's lock.
    State state = State.LIVE;
    final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    /** Idle connections, the most recently used last (taken first: it is the warmest). */
    final ArrayDeque<Link> idle = new ArrayDeque<>();
    /** Every connection it owns: connecting, idle, leased, or moving in. */
    final Set<Link> links = new LinkedHashSet<>();
    int leased;
    /** Connects and moves on their way to it, and closing connections whose permit will pass to it. */
    int incoming;
    /** Of {@link #incoming}: closing connections whose permit will pass to it. */
    int reserved;
    /** When it was last lent a connection: among waiting tenants holding as few, the least recently served goes first. */
    long lastServedNanos;

    TenantPool(TenantRoute route, TenantRoute.PoolIdentity identity, ServerBudget server, int maxSize,
               TenantGuard guard, Timings timings, StatementLog statements, Consumer<TenantPool> onClosed,
               Consumer<io.vertx.sqlclient.SqlConnection> onFirstConnection) {
        this.route = route;
        this.identity = identity;
        this.server = server;
        this.maxSize = maxSize;
        this.guard = guard;
        this.timings = timings;
        this.statements = statements;
        this.onClosed = onClosed;
        this.onFirstConnection = onFirstConnection;
    }

    String key() {
        return route.key();
    }

    TenantRoute route() {
        return route;
    }

    TenantRoute.PoolIdentity identity() {
        return identity;
    }

    DatabaseKind kind() {
        return route.kind();
    }

    TlsMode tlsMode() {
        return route.tlsMode();
    }

    ServerBudget server() {
        return server;
    }

    /** The tenant's circuit breaker; it lives and dies with this pool. */
    TenantGuard guard() {
        return guard;
    }

    /** Connections it owns or is about to (under the server's lock). */
    int held() {
        return links.size() + reserved;
    }

    /** More connections it could use right now (under the server's lock): queued work not yet covered. */
    int wanted() {
        if (state == State.CLOSED) {
            return 0;
        }
        return Math.min(queue.size() - incoming, maxSize - held());
    }

    void touch() {
        lastUsedNanos = System.nanoTime();
        uses.increment();
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    long uses() {
        return uses.sum();
    }

    void closed() {
        onClosed.accept(this);
    }

    /** Called once per new physical connection, outside the lock (e.g. to derive the server's budget). */
    void onFirstConnection(ServerBudget budget, io.vertx.sqlclient.SqlConnection connection) {
        onFirstConnection.accept(connection);
    }

    /**
     * One attempt at a call: its outcome, and where it stands. It waits for a connection, then runs
     * on the database (it got one), then ends; {@link #stop} ends it from any state, on any thread,
     * exactly once: a wait is abandoned, work on a connection is cancelled and its connection
     * closed. A deadline that runs out while waiting is overload; on the database it is the database's.
     */
    static final class Attempt<T> {
        private static final int WAITING = 0;
        private static final int LEASED = 1;
        private static final int STOPPED = 2;

        final CompletableFuture<T> outcome = new CompletableFuture<>();
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private volatile boolean onDatabase;
        private volatile Runnable abandonWait;
        private volatile Lease lease;

        boolean onDatabase() {
            return onDatabase;
        }

        /** Ends the attempt with {@code failure} unless it has ended; true if this call ended it. */
        boolean fail(Throwable failure) {
            if (!outcome.completeExceptionally(failure)) {
                return false;
            }
            stop();
            return true;
        }

        private void stop() {
            int was = state.getAndSet(STOPPED);
            if (was == WAITING) {
                Runnable abandon = abandonWait;
                if (abandon != null) {
                    abandon.run();
                }
            } else if (was == LEASED) {
                Lease held = lease;
                if (held != null) {
                    held.cancel();
                } // else lend() sees the outcome done and cancels it itself
            }
        }

        /** The connection arrived: true if the attempt still wants it. */
        private boolean claim() {
            return state.compareAndSet(WAITING, LEASED);
        }
    }

    /** A connection lent to one attempt; given back exactly once, whichever way the work ends. */
    private final class Lease {
        private final Link link;
        private final long leasedAt;
        private final AtomicBoolean givenBack = new AtomicBoolean();
        private volatile Cancellable work;

        Lease(Link link, long leasedAt) {
            this.link = link;
            this.leasedAt = leasedAt;
        }

        void giveBack(boolean reusable) {
            if (givenBack.compareAndSet(false, true)) {
                link.abort = null;
                link.caller = null;
                timings.record(timings.lease(), leasedAt);
                server.release(link, reusable);
            }
        }

        /** The work is abandoned: a statement may still run on the connection, so it is closed. */
        void cancel() {
            Cancellable running = work;
            if (running != null) {
                running.cancel();
            }
            giveBack(false);
        }
    }

    /**
     * Runs {@code work} on one of the tenant's connections; its outcome is {@code attempt}'s. See
     * the class comment for the guarantees. Built on Vert.x futures and one subscription to the work: the governor adds no
     * {@code Uni} of its own ({@link TenantSql} explains the boundary).
     */
    <T> CompletableFuture<T> run(Function<SqlConnection, Uni<T>> work, Attempt<T> attempt) {
        long asked = System.nanoTime();
        Waiter waiter = new Waiter(Vertx.currentContext());
        attempt.abandonWait = () -> server.abandonWait(this, waiter);
        server.lease(this, waiter).onComplete(result -> {
            if (!attempt.claim()) {
                if (result.succeeded()) {
                    server.release(result.result(), true); // nobody wants it any more
                }
            } else if (result.failed()) {
                attempt.outcome.completeExceptionally(result.cause());
            } else {
                lend(result.result(), asked, work, attempt);
            }
        });
        return attempt.outcome;
    }

    private <T> void lend(Link link, long asked, Function<SqlConnection, Uni<T>> work, Attempt<T> attempt) {
        long leasedAt = System.nanoTime();
        timings.record(timings.acquireWait(), asked);
        touch();
        attempt.onDatabase = true;
        StatementLog.Caller caller = StatementLog.Caller.current(key(), server.server(), timings.statement());
        CallContext.pool(key(), server.server());
        Lease lease = new Lease(link, leasedAt);
        link.caller = caller;
        attempt.lease = lease;
        // The server's stall detector ends the work at once with tenant-database-stalled, on the
        // caller's context: a frozen server would hold it to its deadline.
        Context context = Vertx.currentContext();
        link.abort = () -> {
            if (context == null) {
                attempt.fail(server.stalledRefusal());
            } else {
                context.runOnContext(v -> attempt.fail(server.stalledRefusal()));
            }
        };
        Uni<T> running;
        try {
            running = work.apply(new ObservedConnection(SqlConnection.newInstance(link.connection), kind(), statements,
                    caller));
        } catch (RuntimeException e) {
            lease.giveBack(!brokenBy(e));
            attempt.outcome.completeExceptionally(e);
            return;
        }
        // Given back before the caller hears the outcome, so its next call may reuse the connection.
        // A plain subscriber: subscribe().with(..) would wrap both callbacks to capture context,
        // and they only give the connection back and complete the outcome.
        running.subscribe().withSubscriber(new UniSubscriber<T>() {
            @Override
            public void onSubscribe(UniSubscription subscription) {
                lease.work = subscription;
            }

            @Override
            public void onItem(T item) {
                lease.giveBack(true);
                attempt.outcome.complete(item);
            }

            @Override
            public void onFailure(Throwable failure) {
                lease.giveBack(!brokenBy(failure));
                attempt.outcome.completeExceptionally(failure);
            }
        });
        if (attempt.outcome.isDone()) {
            lease.cancel(); // stopped while the work was being set up; a no-op if the work ended
        }
    }

    /** A failure that leaves the connection unusable: it broke, or the server ended the session. */
    private static boolean brokenBy(Throwable failure) {
        return failure != null && io.tenantgate.platform.failure.DatabaseFailures.isConnectionLoss(failure);
    }
}
