package io.tenantgate.governor;

import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.tenantgate.observability.CallContext;
import io.tenantgate.observability.StatementLog;
import io.tenantgate.registry.DatabaseKind;
import io.tenantgate.resilience.TenantGuard;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A tenant's pool as the governor hands it out: every borrowed connection is counted, and given
 * back on every path (success, failure, cancellation).
 *
 * <p>Giving back is where fairness acts: if the tenant holds more than its fair share of the
 * server's budget while other tenants wait for it, the connection is retired instead of pooled;
 * and while anyone waits, no connection stays idle (the reaper retires idle ones of any tenant).
 * Vert.x has no public way to drop one pooled connection, so the connection asks the server to
 * close it ({@code pg_terminate_backend(pg_backend_pid())} / {@code KILL CONNECTION_ID()}, both
 * allowed to a non-privileged user on its own session); the pool then forgets it and the budget
 * permit comes back through reconciliation ({@link PoolAccount}), to the neediest waiter.
 *
 * <p>Work that is cancelled (its deadline passed, or its caller went away) may leave a statement
 * running on the connection; pooling it would hand the next request a busy connection, and on a
 * hung server one that never answers. So a cancelled connection is abandoned: its socket is closed
 * ({@link PhysicalConnections}), the pool forgets it, and its permit returns by reconciliation.
 */
final class GovernedPool {

    private static final Logger LOG = Logger.getLogger(GovernedPool.class);
    private static final Duration RETIRE_TIMEOUT = Duration.ofSeconds(2);

    private final Pool pool;
    private final PoolAccount account;
    private final String retireSql;
    private final DatabaseKind kind;
    private final Vertx vertx;
    /** The context of the last connection given back idle; see {@link #reapIdle()}. */
    private volatile Context idleContext;
    private final TenantGuard guard;
    private final Timings timings;

    /**
     * Per-server timers: how long work waited for a connection, how long it held one (the
     * tenant's statements plus their round trips), and each statement. Recording never fails the work.
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

    private final StatementLog statements;

    GovernedPool(Pool pool, PoolAccount account, DatabaseKind kind, Vertx vertx, TenantGuard guard, Timings timings,
                 StatementLog statements) {
        this.timings = timings;
        this.statements = statements;
        this.pool = pool;
        this.account = account;
        this.vertx = vertx;
        this.guard = guard;
        this.kind = kind;
        this.retireSql = switch (kind) {
            case POSTGRESQL -> "SELECT pg_terminate_backend(pg_backend_pid())";
            case MYSQL -> "KILL CONNECTION_ID()";
        };
    }

    Pool pool() {
        return pool;
    }

    PoolAccount account() {
        return account;
    }

    /** The tenant's circuit breaker; it lives and dies with this pool. */
    TenantGuard guard() {
        return guard;
    }

    /** The pool began closing before this work was admitted; the caller should take a fresh pool. */
    static final class PoolRetired extends RuntimeException {
        PoolRetired() {
            super("pool retired", null, false, false);
        }
    }

    <T> Uni<T> withConnection(Function<SqlConnection, Uni<T>> work) {
        return Uni.createFrom().deferred(() -> account.tryAdmit()
                ? admittedWork(work).onTermination().invoke(account::finished)
                : Uni.createFrom().failure(new PoolRetired()));
    }

    private <T> Uni<T> admittedWork(Function<SqlConnection, Uni<T>> work) {
        long asked = System.nanoTime();
        return acquire().chain(connection -> {
            account.borrowed();
            // Without a handler Vert.x prints a protocol error's stack trace to stderr; a hostile or
            // broken server could flood the log that way. The failure reaches the work anyway.
            connection.exceptionHandler(failure -> LOG.debugf("tenant %s connection failed: %s", account.tenant(),
                    failure.toString()));
            long leased = System.nanoTime();
            timings.record(timings.acquireWait(), asked);
            StatementLog.Caller caller = StatementLog.Caller.current(account.tenant(), account.budget().server(),
                    timings.statement());
            CallContext.pool(account.tenant(), account.budget().server());
            AutoCloseable watch = statements.lease(caller);
            Uni<T> result;
            try {
                result = work.apply(new ObservedConnection(connection, kind, statements, caller));
            } catch (RuntimeException e) {
                result = Uni.createFrom().failure(e);
            }
            // Given back on a subscription of its own: the caller's answer does not wait for it, and
            // a deadline or a cancelled caller cannot stop it halfway (a retirement cut short would
            // leave the connection leased for good, and a committed write answered as failed).
            return result.onTermination().invoke((item, failure, cancelled) -> {
                        timings.record(timings.lease(), leased);
                        closeQuietly(watch);
                    })
                    .onTermination().invoke((item, failure, cancelled) -> detached(cancelled
                    ? abandon(connection)
                    : giveBack(connection, account.budget().shouldYield(account.tenant()))));
        });
    }

    private static void closeQuietly(AutoCloseable watch) {
        try {
            watch.close();
        } catch (Exception ignored) {
            // cancelling a timer does not fail
        }
    }

    private void detached(Uni<Void> giveBack) {
        giveBack.subscribe().with(done -> { }, failure -> LOG.debugf("giving a connection back failed: %s", failure));
    }

    private static final int PENDING = 0;
    private static final int DELIVERED = 1;
    private static final int CANCELLED = 2;

    /**
     * A connection from the pool, closed again if the caller cancelled before it arrived: Mutiny's
     * adaptation of a Vert.x future drops a late item silently, which would leak the connection
     * and its budget permit. One state, moved once by compare-and-set, decides who owns it. The
     * pool's own acquire timeout bounds the wait.
     *
     * <p>Hazard: Mutiny marks the emitter cancelled before it tells us, so a cancellation from
     * another thread that lands between our move to DELIVERED and {@code complete} drops the item.
     * Our cancellations (deadlines, retries) run on the caller's Vert.x context, the same thread
     * that completes the pool's future, so they cannot interleave there.
     */
    private Uni<SqlConnection> acquire() {
        return Uni.createFrom().emitter(emitter -> {
            Future<io.vertx.sqlclient.SqlConnection> future = pool.getDelegate().getConnection();
            AtomicInteger state = new AtomicInteger(PENDING);
            emitter.onTermination(() -> state.compareAndSet(PENDING, CANCELLED));
            future.onComplete(result -> {
                if (state.compareAndSet(PENDING, DELIVERED)) {
                    if (result.failed()) {
                        emitter.fail(result.cause());
                    } else {
                        emitter.complete(SqlConnection.newInstance(result.result()));
                    }
                } else if (result.succeeded()) {
                    result.result().close(); // nobody wants it any more
                }
            });
        });
    }

    <T> Uni<T> withTransaction(Function<SqlConnection, Uni<T>> work) {
        return withConnection(connection -> Transactions.run(connection, kind, work));
    }

    /**
     * Retires an idle connection while others wait for the server's budget; see {@link TenantPools}.
     *
     * <p>Runs on the context that last gave a connection back. A Vert.x pool hands an idle connection
     * only to a caller on the connection's own context; asked from any other while below its
     * maximum size, it opens a new connection instead. From the housekeeping timer's context, a
     * reap therefore queued a connect for a budget permit rather than freeing one: with the budget
     * full of idle connections nothing was ever reaped (the benchmark found 1,000 tenants stalled
     * behind 200 idle connections). Should the guess still miss, the connect the reap itself
     * starts fails at once instead of waiting for a permit ({@link PoolAccount#REAP_CONNECT}).
     */
    void reapIdle() {
        Context home = idleContext;
        if (home != null && home != Vertx.currentContext()) {
            home.runOnContext(v -> reapHere());
        } else {
            reapHere();
        }
    }

    private void reapHere() {
        if (!account.tryAdmit()) {
            account.reapDone();
            return;
        }
        Uni<Void> reap = acquire()
                .chain(connection -> {
                    account.borrowed();
                    return giveBack(connection, account.budget().hasWaiters());
                })
                .onTermination().invoke(account::finished);
        // Subscribing asks the pool for a connection on this thread; a connect the pool starts from
        // inside that call is the reap's own (see PoolAccount#reapConnect), anyone else's waits.
        PoolAccount.REAP_CONNECT.set(account);
        try {
            reap.subscribe().with(done -> account.reapDone(), failure -> account.reapDone());
        } finally {
            PoolAccount.REAP_CONNECT.remove();
        }
    }

    private Uni<Void> giveBack(SqlConnection connection, boolean retire) {
        account.returned();
        if (!retire) {
            // The work ended on the connection's own context: where a reap finds it idle.
            Context here = Vertx.currentContext();
            if (here != null) {
                idleContext = here;
            }
            return connection.close().onFailure().recoverWithNull();
        }
        LOG.debugf("retiring a connection of tenant %s on %s for tenants waiting for its budget", account.tenant(),
                account.budget().server());
        return closeOnce(connection, () -> connection.preparedQuery(retireSql).execute()
                .ifNoItem().after(RETIRE_TIMEOUT).fail()
                .replaceWithVoid()
                .onFailure().recoverWithNull()); // the server closing the session mid-reply is the point
    }

    /** Closes the socket of a connection whose work was cancelled mid-flight; see the class comment. */
    private Uni<Void> abandon(SqlConnection connection) {
        account.returned();
        LOG.debugf("closing a connection of tenant %s whose work was cancelled", account.tenant());
        if (!PhysicalConnections.canCloseSocket(connection.getDelegate())) {
            // Vert.x internals changed: asking politely queues behind the running statement,
            // which the server's statement timeout then bounds.
            return connection.close().onFailure().recoverWithNull();
        }
        return closeOnce(connection, () -> {
            PhysicalConnections.closeSocket(connection.getDelegate());
            return Uni.createFrom().voidItem();
        });
    }

    /**
     * Ends a connection for good, by {@code kill}, and gives it back only once the pool has dropped
     * it, or the pool could hand the dying connection to the next waiter. Its close handler fires
     * just before the pool drops it, so this waits for the close and then one more tick.
     */
    private Uni<Void> closeOnce(SqlConnection connection, java.util.function.Supplier<Uni<Void>> kill) {
        // Registered before the kill: Vert.x may report the close while the kill is still failing.
        CompletableFuture<Void> gone = new CompletableFuture<>();
        connection.closeHandler(() -> gone.complete(null));
        // The server's FATAL/kill notice is the expected outcome here, not an error to report.
        connection.exceptionHandler(expected -> LOG.tracef("retired connection: %s", expected.getMessage()));
        Uni<Void> closed = Uni.createFrom().completionStage(gone);
        return Uni.createFrom().deferred(() -> kill.get())
                .onFailure().recoverWithNull()
                .chain(() -> closed.ifNoItem().after(RETIRE_TIMEOUT).fail())
                .chain(() -> Uni.createFrom().<Void>emitter(emitter -> vertx.setTimer(10, id -> emitter.complete(null))))
                .chain(() -> connection.close().onFailure().recoverWithNull())
                // Its permit returns through reconciliation, like every pooled connection's.
                .onFailure().recoverWithUni(() -> connection.close().onFailure().recoverWithNull());
    }
}
