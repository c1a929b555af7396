package io.tenantgate.governor;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.tenantgate.governor.resilience.TenantGuards;
import io.tenantgate.governor.route.CredentialRenewal;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.platform.failure.DatabaseFailures;
import io.tenantgate.platform.failure.DeadlineExceeded;
import io.tenantgate.platform.failure.GovernorRejection;
import io.tenantgate.platform.failure.Idempotence;
import io.tenantgate.platform.problem.ProblemException;
import io.tenantgate.platform.problem.RequiredBody;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The only way feature code runs tenant SQL: it applies the tenant's pool, budget, circuit breaker,
 * retries and deadline. Feature code never sees a pool.
 *
 * <p>Invariants:
 * <ul>
 *   <li>A connection is held only for the duration of {@code work}, and is given back on every
 *       path (success, failure, cancellation) when the work's {@code Uni} terminates, after commit
 *       or roll-back for transactions ({@link TenantPool}).</li>
 *   <li>No call outlives its deadline ({@code tenantgate.resilience.request-deadline}), retries and
 *       back-off included. The attempt running when it passes is cancelled, which closes its
 *       connection rather than pooling it busy.</li>
 *   <li>Only transient failures are retried, and writes only when repeating them is safe
 *       ({@link Idempotence}, {@link DatabaseFailures}).</li>
 *   <li>A tenant whose database keeps failing is cut off by its own breaker: its calls fail fast
 *       with 503 {@code tenant-unavailable} and open no connection; other tenants are untouched.</li>
 *   <li>A log-in the tenant's database rejects is not counted by the breaker before the tenant's
 *       secret has been read again, once per call ({@link CredentialRenewal}): if it holds another
 *       password, the call tries again with it and the breaker never hears of the old one.</li>
 * </ul>
 * Layering, outermost first: deadline clock, retry, breaker, pool (budget, queue, acquire timeout).
 *
 * <p><b>The boundary of {@code Uni}.</b> Feature code is {@code Uni} end to end, and so is the
 * {@code work} it hands in. Below this class, the call is plain Vert.x and {@code CompletableFuture}
 * code: one {@code Uni} per call is made here, at the edge, and one subscription to the work in
 * {@link TenantPool}. This is a deliberate exception to "Uni end to end": in Quarkus
 * every {@code Uni} operator captures and restores the request's context, and a governed call
 * built from a dozen operators (deadline, retry, breaker, lease, abort, release, timing) cost more
 * than the rest of the request; a single tenant's read must cost no more than the bare stack's.
 * A call is a small state machine, each step on the caller's Vert.x context:
 * <pre>
 *   ATTEMPT ──breaker open / success / final failure──▶ ENDED
 *     │  └──retryable failure, retries and time left──▶ BACKING OFF ──timer──▶ ATTEMPT
 *     ├──pool retired under it (once per attempt)──▶ ATTEMPT (the tenant's new pool)
 *     └──log-in rejected, the secret holds another password (once per call)──▶ ATTEMPT (with it)
 *   any ──deadline timer / cancelled by the caller──▶ ENDED (the running attempt is stopped)
 * </pre>
 * {@link Call#ended} flips once: the caller hears exactly one outcome, on its own context. The
 * success path throws nothing.
 */
@ApplicationScoped
public class TenantSql {

    private static final Logger LOG = Logger.getLogger(TenantSql.class);
    /** Ends an attempt whose caller went away; stackless, and never counted by a breaker. */
    private static final CancellationException CALLER_GONE = new CancellationException("the caller went away") {
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    };

    private final TenantPools pools;
    private final TenantGuards guards;
    private final CredentialRenewal credentials;
    private final Vertx vertx;
    private final long deadlineNanos;

    public TenantSql(TenantPools pools, TenantGuards guards, CredentialRenewal credentials, Vertx vertx) {
        this.pools = pools;
        this.vertx = vertx;
        this.guards = guards;
        this.credentials = credentials;
        this.deadlineNanos = guards.config().requestDeadline().toNanos();
    }

    /** Runs read work on one connection; several statements share it. Retried on transient failures. */
    public <T> Uni<T> withConnection(TenantRoute tenant, Function<SqlConnection, Uni<T>> work) {
        return run(tenant, Idempotence.REPEATABLE, work);
    }

    /** {@link #withConnection(TenantRoute, Function)}, the work given the tenant's {@link Dialect} too. */
    public <T> Uni<T> withConnection(TenantRoute tenant, BiFunction<SqlConnection, Dialect, Uni<T>> work) {
        Dialect dialect = Dialect.of(tenant.kind());
        return withConnection(tenant, connection -> work.apply(connection, dialect));
    }

    /** {@link #withTransaction(TenantRoute, Idempotence, Function)}, the work given the tenant's {@link Dialect} too. */
    public <T> Uni<T> withTransaction(TenantRoute tenant, Idempotence idempotence,
                                      BiFunction<SqlConnection, Dialect, Uni<T>> work) {
        Dialect dialect = Dialect.of(tenant.kind());
        return withTransaction(tenant, idempotence, connection -> work.apply(connection, dialect));
    }

    /**
     * Runs work in one transaction: committed if the work succeeds, rolled back otherwise. Retried
     * only where {@code idempotence} makes that safe.
     */
    public <T> Uni<T> withTransaction(TenantRoute tenant, Idempotence idempotence,
                                      Function<SqlConnection, Uni<T>> work) {
        return run(tenant, idempotence, connection -> Transactions.run(connection, tenant.kind(), work));
    }

    private <T> Uni<T> run(TenantRoute tenant, Idempotence idempotence, Function<SqlConnection, Uni<T>> work) {
        // Uni.createFrom(), not a hand-made Uni: its context-propagation hook is what restores the
        // request's context (trace parent included) when a caller subscribes from elsewhere, e.g.
        // after a registry lookup.
        return Uni.createFrom().emitter(emitter -> {
            Call<T> call = new Call<>(tenant, idempotence, work, emitter);
            emitter.onTermination(call::cancel);
            call.start();
        });
    }

    /** One governed call; see the class comment for its states. */
    private final class Call<T> {
        /** The route the call began with, or the one with a renewed password ({@link #renewedAfter}). */
        private volatile TenantRoute tenant;
        private final Idempotence idempotence;
        private final Function<SqlConnection, Uni<T>> work;
        private final UniEmitter<? super T> emitter;
        private final Context context = Vertx.currentContext();
        private final long deadline = System.nanoTime() + deadlineNanos;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile long deadlineTimer = -1;
        private volatile long backoffTimer = -1;
        private volatile TenantPool pool;
        private volatile TenantPool.Attempt<T> attempt;
        private int retries;
        private volatile boolean credentialsRenewed;

        Call(TenantRoute tenant, Idempotence idempotence, Function<SqlConnection, Uni<T>> work,
             UniEmitter<? super T> emitter) {
            this.tenant = tenant;
            this.idempotence = idempotence;
            this.work = work;
            this.emitter = emitter;
        }

        void start() {
            // A Vert.x timer set here fires on this context: the cut-off runs where the work runs.
            deadlineTimer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos)), id -> expire());
            attempt(false);
        }

        /**
         * Takes the tenant's pool when the attempt starts, not when the call was made, and once
         * more if that pool was retired in between (evicted, replaced, idle): the second try gets
         * the new pool and its breaker.
         */
        private void attempt(boolean afterRetired) {
            if (ended.get()) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                expire();
                return;
            }
            TenantPool current;
            try {
                current = pools.governedFor(tenant);
            } catch (RuntimeException refused) {
                end(null, answer(tenant, refused));
                return;
            }
            TenantPool.Attempt<T> next = new TenantPool.Attempt<>();
            pool = current;
            attempt = next;
            current.guard().call(() -> current.run(work, next).exceptionallyCompose(this::renewedAfter))
                    .whenComplete((item, failure) -> settled(current, item, failure, afterRetired));
        }

        /**
         * Inside the breaker: a rejected log-in asks once per call for the tenant's secret as it is
         * now. A new password ends the attempt as {@link Renewed}, which the breaker does not count;
         * otherwise the rejection stands and counts.
         */
        private CompletionStage<T> renewedAfter(Throwable failure) {
            if (credentialsRenewed || !DatabaseFailures.isRejectedLogin(failure)) {
                return CompletableFuture.failedFuture(failure);
            }
            credentialsRenewed = true;
            return credentials.renewed(tenant).thenCompose(renewed -> CompletableFuture.failedFuture(
                    renewed == null ? failure : new Renewed(renewed)));
        }

        private void settled(TenantPool on, T item, Throwable failure, boolean afterRetired) {
            if (failure == null) {
                end(item, null);
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (ended.get()) {
                return;
            }
            if (cause instanceof TenantPool.Retired && !afterRetired) {
                attempt(true);
            } else if (cause instanceof Renewed renewed) {
                tenant = renewed.route;
                attempt(afterRetired);
            } else if (cause instanceof CircuitBreakerOpenException) {
                end(null, ProblemException.unavailable("tenant-unavailable", "the database of tenant " + tenant.key()
                        + " is failing; its calls are paused", on.guard().retryAfterSeconds()));
            } else if (System.nanoTime() - deadline < 0 && guards.retries(cause, idempotence, retries)) {
                retries++;
                backoffTimer = vertx.setTimer(guards.backoffMillis(retries), id -> attempt(false));
            } else {
                end(null, answer(tenant, cause));
            }
        }

        /**
         * The deadline passed. A running attempt is failed with it, so the breaker hears of it
         * (it counts when the time ran out on the database), and stopped; otherwise the call ends.
         * When the server was found stalled meanwhile, that is said instead: the stall, not the
         * tenant, is the cause.
         */
        private void expire() {
            TenantPool on = pool;
            TenantPool.Attempt<T> running = attempt;
            Throwable exceeded = on != null && !on.server().answering() ? on.server().stalledRefusal()
                    : new DeadlineExceeded("the database of tenant " + tenant.key() + " did not answer in time",
                    running != null && running.onDatabase());
            if (running == null || !running.fail(exceeded)) {
                end(null, answer(tenant, exceeded));
            }
        }

        /** The caller went away: the running attempt is stopped, its connection closed. */
        void cancel() {
            if (ended.compareAndSet(false, true)) {
                cancelTimers();
                TenantPool.Attempt<T> running = attempt;
                if (running != null) {
                    running.fail(CALLER_GONE);
                }
            }
        }

        private void end(T item, Throwable failure) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            cancelTimers();
            CallerContext.emit(context, emitter, item, failure);
        }

        private void cancelTimers() {
            vertx.cancelTimer(deadlineTimer);
            long backoff = backoffTimer;
            if (backoff >= 0) {
                vertx.cancelTimer(backoff);
            }
        }
    }

    /** The tenant's secret holds a newer password than the one its database rejected; never counted by a breaker. */
    private static final class Renewed extends RuntimeException {
        final transient TenantRoute route;

        Renewed(TenantRoute route) {
            super("the tenant's secret was renewed", null, false, false);
            this.route = route;
        }
    }

    /** What the caller is told once retrying is over. Expected outcomes (404, 409, ...) pass through. */
    private static Throwable answer(TenantRoute tenant, Throwable failure) {
        if (failure instanceof DeadlineExceeded) {
            return ProblemException.unavailable("tenant-deadline-exceeded", failure.getMessage(), 1);
        }
        if (failure instanceof ProblemException || failure instanceof GovernorRejection) {
            return failure;
        }
        if (DatabaseFailures.isRejectedValue(failure)) {
            return ProblemException.invalid(RequiredBody.FIELD, "the tenant's database refused a value of this request"
                    + " (too long, out of range or not representable); nothing was stored");
        }
        if (DatabaseFailures.isStatementTimeout(failure)) {
            return ProblemException.unavailable("tenant-statement-timeout", "a statement on the database of tenant "
                    + tenant.key() + " ran past its statement timeout and was stopped by the server", 1);
        }
        if (DatabaseFailures.isTransient(failure) || DatabaseFailures.isUnavailable(failure)) {
            // One line per failed call would flood the log in an outage; the breaker logs its opening.
            LOG.debugf("database of tenant %s unavailable: %s", tenant.key(), failure);
            return ProblemException.unavailable("tenant-database-unavailable",
                    "the database of tenant " + tenant.key() + " is unavailable; retry later", 2);
        }
        return failure;
    }
}
