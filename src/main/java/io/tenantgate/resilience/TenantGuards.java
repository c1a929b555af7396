package io.tenantgate.resilience;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;

import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Makes each tenant's {@link TenantGuard} and retries tenant database calls.
 *
 * <p>Retrying keeps no state per tenant, so two retry guards serve every tenant: one for
 * {@link Idempotence#REPEATABLE} work, one for {@link Idempotence#ONCE}. A retry wraps the
 * tenant's breaker (each attempt is one call for the breaker) and never retries an open breaker.
 * Back-off is exponential with jitter and runs on Fault Tolerance's timer: nothing sleeps.
 */
@ApplicationScoped
public class TenantGuards {

    @SuppressWarnings("rawtypes")
    private static final TypeLiteral<Uni> UNI = new TypeLiteral<>() {
    };

    private final ResilienceConfig config;
    private final Counters counters = new Counters();
    private final Guard repeatable;
    private final Guard once;

    /** Counts across all tenants, for tests and metrics. */
    public static final class Counters {
        private final LongAdder retries = new LongAdder();
        private final LongAdder opened = new LongAdder();
        private final LongAdder prevented = new LongAdder();
        private final java.util.Map<CircuitBreakerState, LongAdder> transitions = new java.util.EnumMap<>(
                java.util.Map.of(CircuitBreakerState.CLOSED, new LongAdder(), CircuitBreakerState.OPEN, new LongAdder(),
                        CircuitBreakerState.HALF_OPEN, new LongAdder()));

        void transitioned(CircuitBreakerState to) {
            LongAdder count = transitions.get(to);
            if (count != null) {
                count.increment();
            }
        }

        /** Breaker state changes into {@code to}, across all tenants. */
        public long transitions(CircuitBreakerState to) {
            LongAdder count = transitions.get(to);
            return count == null ? 0 : count.sum();
        }

        void retried() {
            retries.increment();
        }

        void opened() {
            opened.increment();
        }

        void countPrevented() {
            prevented.increment();
        }

        public long retries() {
            return retries.sum();
        }

        public long breakersOpened() {
            return opened.sum();
        }

        /** Calls failed fast by an open breaker, never reaching the database. */
        public long prevented() {
            return prevented.sum();
        }
    }

    public TenantGuards(ResilienceConfig config) {
        this.config = config;
        this.repeatable = retrying(Idempotence.REPEATABLE);
        this.once = retrying(Idempotence.ONCE);
    }

    private Guard retrying(Idempotence idempotence) {
        ResilienceConfig.Retry retry = config.retry();
        return Guard.create()
                .withDescription(TenantGuard.DESCRIPTION + "-retry")
                .withRetry()
                .maxRetries(retry.maxRetries())
                .delay(retry.initialBackoff().toMillis(), ChronoUnit.MILLIS)
                .jitter(retry.jitter().toMillis(), ChronoUnit.MILLIS)
                // The deadline cuts attempts off; this only stops retrying past it.
                .maxDuration(config.requestDeadline().toMillis(), ChronoUnit.MILLIS)
                .whenException(failure -> !(failure instanceof CircuitBreakerOpenException)
                        && TransientFailures.isRetryable(failure, idempotence))
                .onRetry(counters::retried)
                .withExponentialBackoff()
                .factor(2)
                .maxDelay(retry.maxBackoff().toMillis(), ChronoUnit.MILLIS)
                .done()
                .done()
                .build();
    }

    /** A new breaker for a tenant's new pool. */
    public TenantGuard newGuard(String tenant) {
        return new TenantGuard(tenant, config.breaker(), counters);
    }

    /** Runs {@code attempt} (subscribed once per attempt) with retries suited to its idempotence. */
    @SuppressWarnings("unchecked")
    public <T> Uni<T> retrying(Idempotence idempotence, Supplier<Uni<T>> attempt) {
        Guard guard = idempotence == Idempotence.REPEATABLE ? repeatable : once;
        Supplier<Uni> raw = (Supplier<Uni>) (Supplier<?>) attempt;
        return guard.get(raw, UNI);
    }

    public Counters counters() {
        return counters;
    }

    public ResilienceConfig config() {
        return config;
    }
}
