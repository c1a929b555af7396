package io.tenantgate.tenant.idempotency;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How long idempotency keys are kept. It shares the {@code tenantgate.resilience} prefix with the
 * governor's retry and breaker settings, because a client's retries are what it is for, but it is
 * read only here.
 */
@ConfigMapping(prefix = "tenantgate.resilience")
public interface IdempotencyConfig {

    /**
     * How long a write's {@code Idempotency-Key} and its stored response are kept; a repeat after
     * this does the work again. Clients retry within minutes; a day covers queued retries too.
     */
    @WithDefault("24h")
    Duration idempotencyRetention();
}
