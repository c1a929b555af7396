package io.tenantgate.governor.resilience;

import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.tenantgate.platform.failure.DatabaseFailures;
import jakarta.enterprise.util.TypeLiteral;
import org.jboss.logging.Logger;

import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One tenant's circuit breaker, created with the tenant's pool and dropped with it.
 *
 * <p>The breaker is a SmallRye Fault Tolerance {@link Guard} that is deliberately unnamed (a named
 * breaker is registered for the life of the process, so tenants coming and going would leak) and
 * shares one description with every other tenant's (metrics are tagged by it, so cardinality stays
 * constant). Its state is followed here through {@code onStateChange}.
 *
 * <p>Only failures that speak about the tenant's database count ({@link DatabaseFailures#countsAgainstTenant});
 * everything else, including 404s and 409s raised inside the call, counts as success.
 */
public final class TenantGuard {

    private static final Logger LOG = Logger.getLogger(TenantGuard.class);
    static final String DESCRIPTION = "tenant-database";
    @SuppressWarnings("rawtypes")
    private static final TypeLiteral<CompletionStage> STAGE = new TypeLiteral<>() {
    };

    private final String tenant;
    private final Guard breaker;
    private final long openDelayNanos;
    private final TenantGuards.Counters counters;
    private volatile CircuitBreakerState state = CircuitBreakerState.CLOSED;
    private volatile long openedAtNanos;
    private volatile String lastFailure;

    TenantGuard(String tenant, ResilienceConfig.Breaker config, TenantGuards.Counters counters) {
        this.tenant = tenant;
        this.counters = counters;
        this.openDelayNanos = config.openDelay().toNanos();
        this.breaker = Guard.create()
                .withDescription(DESCRIPTION)
                .withCircuitBreaker()
                .requestVolumeThreshold(config.window())
                .failureRatio(config.failureRatio())
                .delay(config.openDelay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(config.successThreshold())
                .when(this::counts)
                .onStateChange(this::changed)
                .onPrevented(counters::countPrevented)
                .done()
                .build();
    }

    private boolean counts(Throwable failure) {
        boolean counts = DatabaseFailures.countsAgainstTenant(failure);
        if (counts) {
            lastFailure = DatabaseFailures.describe(failure);
        }
        return counts;
    }

    private void changed(CircuitBreakerState next) {
        counters.transitioned(next);
        if (next == CircuitBreakerState.OPEN) {
            openedAtNanos = System.nanoTime();
            counters.opened();
            LOG.warnf("circuit breaker of tenant %s opened (last failure: %s): its database calls fail fast for %d ms",
                    tenant, lastFailure, openDelayNanos / 1_000_000);
        } else {
            LOG.infof("circuit breaker of tenant %s is %s", tenant, next);
        }
        state = next;
    }

    /**
     * Runs one attempt through the breaker, on the caller's thread; the stage fails with
     * {@code CircuitBreakerOpenException} while open, without running the attempt. A
     * {@code CompletionStage} is Fault Tolerance's own asynchronous type: no conversion, no context
     * capture.
     */
    @SuppressWarnings("unchecked")
    public <T> CompletionStage<T> call(Supplier<? extends CompletionStage<T>> attempt) {
        Supplier<CompletionStage> raw = (Supplier<CompletionStage>) (Supplier<?>) attempt;
        return breaker.get(raw, STAGE);
    }

    public CircuitBreakerState state() {
        return state;
    }

    /** The last failure the breaker counted, in a few words ({@link DatabaseFailures#describe}); null if none. */
    public String lastFailure() {
        return lastFailure;
    }

    /** Whole seconds until an open breaker lets a probe through; at least 1. */
    public long retryAfterSeconds() {
        long left = openDelayNanos - (System.nanoTime() - openedAtNanos);
        return Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    }
}
