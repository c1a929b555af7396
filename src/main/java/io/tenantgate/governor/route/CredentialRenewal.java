package io.tenantgate.governor.route;

import java.util.concurrent.CompletionStage;

/**
 * Asked by the governor when a tenant's database rejects a route's log-in, before the tenant's
 * breaker counts the rejection: the password may have been rotated together with a secret this
 * instance has not read again yet. Implemented where routes are resolved (the tenant directory).
 */
public interface CredentialRenewal {

    /**
     * The tenant's route with the password its secret holds now, read again for this question,
     * ordered after {@code rejected}; or {@code null} when that is the password that was rejected
     * (or the secret cannot be read again). Never fails; completes on the caller's Vert.x context.
     */
    CompletionStage<TenantRoute> renewed(TenantRoute rejected);
}
