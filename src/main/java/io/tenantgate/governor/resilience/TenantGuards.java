package io.tenantgate.governor.resilience;

import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.tenantgate.platform.failure.DatabaseFailures;
import io.tenantgate.platform.failure.Idempotence;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Makes each tenant's {@link TenantGuard} and decides retries of tenant database calls.
 *
 * <p>A call goes through one guard per attempt, the tenant's breaker; retrying is a decision
 * taken only once an attempt has failed ({@link #retries}), so the success path pays for no retry
 * machinery. The caller ({@code TenantSql}) waits out {@link #backoffMillis} on a Vert.x timer of
 * its own context and never retries an open breaker. Rules: only transient failures, writes only
 * when repeating them is safe ({@link DatabaseFailures#isRetryable}); at most
 * {@code retry.max-retries} retries; the waits double from {@code initial-backoff} up to
 * {@code max-backoff}, each moved by up to {@code jitter} either way; nothing sleeps.
 */
@ApplicationScoped
public class TenantGuards {

    private final ResilienceConfig config;
    private final Counters counters = new Counters();

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
    }

    /** A new breaker for a tenant's new pool. */
    public TenantGuard newGuard(String tenant) {
        return new TenantGuard(tenant, config.breaker(), counters);
    }

    /**
     * Whether an attempt that failed with {@code failure} is tried again, after {@code done}
     * retries; counts the retry when it is. An open breaker is never retried.
     */
    public boolean retries(Throwable failure, Idempotence idempotence, int done) {
        if (done >= config.retry().maxRetries() || failure instanceof CircuitBreakerOpenException
                || !DatabaseFailures.isRetryable(failure, idempotence)) {
            return false;
        }
        counters.retried();
        return true;
    }

    /** The wait before retry number {@code retry} (1 for the first), jitter included; at least 1 ms. */
    public long backoffMillis(int retry) {
        ResilienceConfig.Retry policy = config.retry();
        long base = policy.initialBackoff().toMillis() << Math.min(20, Math.max(0, retry - 1));
        long wait = Math.min(policy.maxBackoff().toMillis(), base);
        long jitter = policy.jitter().toMillis();
        if (jitter > 0) {
            wait += ThreadLocalRandom.current().nextLong(-jitter, jitter + 1);
        }
        return Math.max(1, wait);
    }

    public Counters counters() {
        return counters;
    }

    public ResilienceConfig config() {
        return config;
    }
}
