package io.tenantgate.governor;

import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.tenantgate.observability.CallContext;
import io.tenantgate.observability.StatementLog;
import io.tenantgate.registry.DatabaseKind;
import io.tenantgate.registry.TenantRoute;
import io.tenantgate.registry.TlsMode;
import io.tenantgate.resilience.TenantGuard;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.SqlConnection;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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

    private static final Logger LOG = Logger.getLogger(TenantPool.class);

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
    long served;
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
     * Where one attempt stands: waiting for a connection, or on the database (it got one). A
     * deadline that runs out while waiting is overload; on the database it is the database's.
     */
    static final class Attempt {
        private volatile boolean onDatabase;

        boolean onDatabase() {
            return onDatabase;
        }
    }

    /** Runs {@code work} on one of the tenant's connections; see the class comment for the guarantees. */
    <T> Uni<T> withConnection(Function<SqlConnection, Uni<T>> work, Attempt attempt) {
        return Uni.createFrom().deferred(() -> {
            long asked = System.nanoTime();
            return lease().chain(link -> {
                attempt.onDatabase = true;
                return run(link, asked, work);
            });
        });
    }

    <T> Uni<T> withTransaction(Function<SqlConnection, Uni<T>> work, Attempt attempt) {
        return withConnection(connection -> Transactions.run(connection, kind(), work), attempt);
    }

    private static final int PENDING = 0;
    private static final int DELIVERED = 1;
    private static final int CANCELLED = 2;

    /**
     * A connection, or a queued wait for one. One state, moved once by compare-and-set, decides who
     * owns a connection that arrives as its requester cancels: the requester, or nobody, and then it
     * is given straight back.
     */
    private Uni<Link> lease() {
        return Uni.createFrom().emitter(emitter -> {
            Waiter waiter = new Waiter(Vertx.currentContext());
            AtomicInteger claim = new AtomicInteger(PENDING);
            emitter.onTermination(() -> {
                if (claim.compareAndSet(PENDING, CANCELLED)) {
                    server.abandonWait(this, waiter);
                }
            });
            Future<Link> leased = server.lease(this, waiter);
            leased.onComplete(result -> {
                if (claim.compareAndSet(PENDING, DELIVERED)) {
                    if (result.succeeded()) {
                        emitter.complete(result.result());
                    } else {
                        emitter.fail(result.cause());
                    }
                } else if (result.succeeded()) {
                    server.release(result.result(), true); // nobody wants it any more
                }
            });
        });
    }

    private <T> Uni<T> run(Link link, long asked, Function<SqlConnection, Uni<T>> work) {
        long leasedAt = System.nanoTime();
        timings.record(timings.acquireWait(), asked);
        touch();
        StatementLog.Caller caller = StatementLog.Caller.current(key(), server.server(), timings.statement());
        CallContext.pool(key(), server.server());
        AutoCloseable watch = statements.lease(caller);
        Uni<T> result;
        try {
            result = work.apply(new ObservedConnection(SqlConnection.newInstance(link.connection), kind(), statements,
                    caller));
        } catch (RuntimeException e) {
            result = Uni.createFrom().failure(e);
        }
        // Given back once the work's Uni ends, whichever way; a cancelled caller's connection may
        // still run a statement, so it is not reused.
        return abortable(link, result).onTermination().invoke((item, failure, cancelled) -> {
            link.abort = null;
            timings.record(timings.lease(), leasedAt);
            closeQuietly(watch);
            server.release(link, !cancelled && !brokenBy(failure));
        });
    }

    /**
     * The work, which the server's stall detector can end at once with {@code tenant-database-stalled}
     * ({@link Link#abort}, on the caller's context): a frozen server would hold it to its deadline.
     */
    private <T> Uni<T> abortable(Link link, Uni<T> work) {
        Context context = Vertx.currentContext();
        return Uni.createFrom().emitter(emitter -> {
            link.abort = () -> {
                if (context == null) {
                    emitter.fail(server.stalledRefusal());
                } else {
                    context.runOnContext(v -> emitter.fail(server.stalledRefusal()));
                }
            };
            io.smallrye.mutiny.subscription.Cancellable running = work.subscribe().with(emitter::complete, emitter::fail);
            emitter.onTermination(running::cancel);
        });
    }

    /** A failure that leaves the connection unusable: it broke, or the server ended the session. */
    private static boolean brokenBy(Throwable failure) {
        return failure != null && io.tenantgate.resilience.TransientFailures.isConnectionLoss(failure);
    }

    private static void closeQuietly(AutoCloseable watch) {
        try {
            watch.close();
        } catch (Exception e) {
            LOG.tracef("closing a lease watch failed: %s", e);
        }
    }
}
