package io.tenantgate.governor;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import io.smallrye.mutiny.Uni;
import io.tenantgate.problem.ProblemException;
import io.tenantgate.registry.TenantRoute;
import io.tenantgate.resilience.DeadlineExceeded;
import io.tenantgate.resilience.Deadlines;
import io.vertx.core.Vertx;
import io.tenantgate.resilience.Idempotence;
import io.tenantgate.resilience.TenantGuards;
import io.tenantgate.resilience.TransientFailures;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

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
 *       ({@link Idempotence}, {@link TransientFailures}).</li>
 *   <li>A tenant whose database keeps failing is cut off by its own breaker: its calls fail fast
 *       with 503 {@code tenant-unavailable} and open no connection; other tenants are untouched.</li>
 * </ul>
 * Layering, outermost first: deadline clock, retry, breaker, pool (budget, queue, acquire timeout).
 */
@ApplicationScoped
public class TenantSql {

    private static final Logger LOG = Logger.getLogger(TenantSql.class);

    private final TenantPools pools;
    private final TenantGuards guards;
    private final Vertx vertx;
    private final long deadlineNanos;

    public TenantSql(TenantPools pools, TenantGuards guards, Vertx vertx) {
        this.pools = pools;
        this.vertx = vertx;
        this.guards = guards;
        this.deadlineNanos = guards.config().requestDeadline().toNanos();
    }

    /** Runs read work on one connection; several statements share it. Retried on transient failures. */
    public <T> Uni<T> withConnection(TenantRoute tenant, Function<SqlConnection, Uni<T>> work) {
        return run(tenant, Idempotence.REPEATABLE, (pool, attempt) -> pool.withConnection(work, attempt));
    }

    /**
     * Runs work in one transaction: committed if the work succeeds, rolled back otherwise. Retried
     * only where {@code idempotence} makes that safe.
     */
    public <T> Uni<T> withTransaction(TenantRoute tenant, Idempotence idempotence,
                                      Function<SqlConnection, Uni<T>> work) {
        return run(tenant, idempotence, (pool, attempt) -> pool.withTransaction(work, attempt));
    }

    private <T> Uni<T> run(TenantRoute tenant, Idempotence idempotence,
                           BiFunction<TenantPool, TenantPool.Attempt, Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            long deadline = System.nanoTime() + deadlineNanos;
            return guards.retrying(idempotence, () -> attempt(tenant, deadline, work))
                    .onFailure().transform(failure -> answer(tenant, failure));
        });
    }

    /**
     * One attempt: takes the tenant's pool when subscribed, not when the Uni is built, and once
     * more if that pool was retired in between (evicted, replaced, idle): the second try gets the
     * new pool and its breaker.
     */
    private <T> Uni<T> attempt(TenantRoute tenant, long deadline,
                               BiFunction<TenantPool, TenantPool.Attempt, Uni<T>> work) {
        Supplier<Uni<T>> onCurrentPool = () -> {
            TenantPool pool = pools.governedFor(tenant);
            TenantPool.Attempt attempt = new TenantPool.Attempt();
            return pool.guard().call(() -> withinDeadline(pool, deadline, attempt, work.apply(pool, attempt)))
                    .onFailure(CircuitBreakerOpenException.class).transform(open -> ProblemException.unavailable(
                            "tenant-unavailable", "the database of tenant " + tenant.key()
                                    + " is failing; its calls are paused", pool.guard().retryAfterSeconds()));
        };
        return Uni.createFrom().deferred(() -> onCurrentPool.get())
                .onFailure(TenantPool.Retired.class).recoverWithUni(() -> Uni.createFrom().deferred(() -> onCurrentPool.get()));
    }

    /**
     * Cancels the attempt when the deadline passes; cancelling closes the connection it holds. The
     * failure says whether the time ran out on the database or waiting for a connection, and when
     * the server was found stalled meanwhile, says that: the stall, not the tenant, is the cause.
     */
    private <T> Uni<T> withinDeadline(TenantPool pool, long deadline, TenantPool.Attempt attempt, Uni<T> work) {
        long left = deadline - System.nanoTime();
        Supplier<Throwable> exceeded = () -> pool.server().answering()
                ? new DeadlineExceeded("the database of tenant " + pool.key() + " did not answer in time",
                attempt.onDatabase())
                : pool.server().stalledRefusal();
        if (left <= 0) {
            return Uni.createFrom().failure(exceeded);
        }
        return Deadlines.within(vertx, work, Duration.ofNanos(left), exceeded);
    }

    /** What the caller is told once retrying is over. Expected outcomes (404, 409, ...) pass through. */
    private static Throwable answer(TenantRoute tenant, Throwable failure) {
        if (failure instanceof DeadlineExceeded) {
            return ProblemException.unavailable("tenant-deadline-exceeded", failure.getMessage(), 1);
        }
        if (failure instanceof ProblemException || failure instanceof GovernorRejection) {
            return failure;
        }
        if (DatabaseErrors.isRejectedValue(failure)) {
            return ProblemException.badRequest("validation", "the tenant's database refused a value of this request"
                    + " (too long, out of range or not representable); nothing was stored");
        }
        if (TransientFailures.isStatementTimeout(failure)) {
            return ProblemException.unavailable("tenant-statement-timeout", "a statement on the database of tenant "
                    + tenant.key() + " ran past its statement timeout and was stopped by the server", 1);
        }
        if (TransientFailures.isTransient(failure) || DatabaseErrors.isUnavailable(failure)) {
            // One line per failed call would flood the log in an outage; the breaker logs its opening.
            LOG.debugf("database of tenant %s unavailable: %s", tenant.key(), failure);
            return ProblemException.unavailable("tenant-database-unavailable",
                    "the database of tenant " + tenant.key() + " is unavailable; retry later", 2);
        }
        return failure;
    }
}
