package io.tenantgate.control.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How tokens are read: which claim names the tenant, who is a platform operator, and the cache of
 * verified tokens. Tenant users and operators usually come from the same identity provider, where a
 * tenant's own administrators may be able to set group names; so a group name alone never makes an
 * operator ({@link OperatorIdentity}).
 */
@ConfigMapping(prefix = "tenantgate.security")
public interface SecurityConfig {

    /**
     * The top-level claim that names a tenant user's tenant. Any name a provider writes fits,
     * namespaced ones included (Auth0: {@code https://example.com/tenant}).
     */
    @WithDefault("tenant")
    String tenantClaim();

    /** The group an operator's token carries in its groups ({@code smallrye.jwt.path.groups}). */
    @WithDefault("operator")
    String operatorGroup();

    /**
     * The audience an operator's token must carry (one of {@code mp.jwt.verify.audiences}): the
     * identity provider issues it only to the operators' client. Tenant tokens carry
     * {@code tenantgate}.
     */
    @WithDefault("tenantgate-admin")
    String operatorAudience();

    /** Verified tokens kept so that a client's next request with the same token costs no RSA. */
    TokenCache tokenCache();

    interface TokenCache {

        /** Off: every request verifies its token's signature, as smallrye-jwt does alone. */
        @WithDefault("true")
        boolean enabled();

        /** Tokens kept at most; the least recently used go first. */
        @WithDefault("10000")
        int maxEntries();

        /** Longest a verified token is kept (never past its {@code exp}). */
        @WithDefault("5m")
        Duration maxAge();
    }
}
