package io.tenantgate.governor.resilience;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How tenant database calls are bounded, retried and cut off. Connection-level timeouts (connect,
 * acquire, statement, lifetime) live in {@code tenantgate.pool}. How long idempotency keys are kept,
 * {@code tenantgate.resilience.idempotency-retention}, is read by the tenant APIs' own
 * {@code IdempotencyConfig}.
 */
@ConfigMapping(prefix = "tenantgate.resilience")
public interface ResilienceConfig {

    /**
     * Longest one tenant database operation may take, all attempts and back-off included. Past it
     * the caller gets 503 {@code tenant-deadline-exceeded} and the connection it held is closed, not
     * pooled (its statement may still be running). Keep it above {@code tenantgate.pool.statement-timeout}
     * so a merely slow statement is stopped by the server first.
     */
    @WithDefault("10s")
    Duration requestDeadline();

    /** Retries of transient failures. */
    Retry retry();

    /** The circuit breaker each tenant has. */
    Breaker breaker();

    /** How a database server that stops answering (frozen, partitioned) is found and failed fast. */
    Stall stall();

    /**
     * A server is suspected when calls are in flight and none of them has had a reply for the
     * threshold (at least {@code threshold}, up to four times it when the server is usually slow:
     * twenty times its recent mean lease); one probe ({@code SELECT 1} on an idle connection, or a
     * connect) then decides. No answer within {@code probe-timeout}: the server is stalled, and its
     * tenants' requests get 503 {@code tenant-database-stalled} at once, with one probe every
     * {@code probe-interval}, until any reply. Breakers do not count any of this. 0 disables.
     */
    interface Stall {
        @WithDefault("1s")
        Duration threshold();

        @WithDefault("500ms")
        Duration probeTimeout();

        @WithDefault("1s")
        Duration probeInterval();

        /**
         * How long a request for a stalled server waits for its 503: long enough that clients
         * which ignore {@code Retry-After} and retry at once cannot spin on fast refusals and take
         * the CPU the other servers' tenants need, short enough to stay a fast answer.
         */
        @WithDefault("20ms")
        Duration answerDelay();
    }

    interface Retry {
        /** Retries after the first attempt; 0 disables retrying. */
        @WithDefault("2")
        int maxRetries();

        /** Wait before the first retry; each further retry doubles it, up to {@code max-backoff}. */
        @WithDefault("50ms")
        Duration initialBackoff();

        /** Longest wait between two attempts. */
        @WithDefault("1s")
        Duration maxBackoff();

        /** Random spread added to or taken from each wait, so retrying clients do not move in step. */
        @WithDefault("25ms")
        Duration jitter();
    }

    interface Breaker {
        /**
         * Calls in the rolling window the failure ratio is measured over. A frozen server, whose
         * calls never end, is not the breakers' to find: the stall detector ({@link Stall}) fails
         * its tenants fast whatever their request rate.
         */
        @WithDefault("20")
        int window();

        /** Share of failed calls in the window that opens the breaker. */
        @WithDefault("0.5")
        double failureRatio();

        /** How long an open breaker fails calls fast before it lets probes through (half-open). */
        @WithDefault("5s")
        Duration openDelay();

        /** Successful probes in a row that close a half-open breaker. */
        @WithDefault("2")
        int successThreshold();
    }
}
