package io.tenantgate.control.security;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.tenantgate.testing.IdentityProvider;

import java.util.Map;

/**
 * The application configured for an identity provider the way {@code docs/configuration.md}'s
 * Keycloak example says (issuer URL, JWKS URL, roles under {@code realm_access.roles}), with the
 * tenant in a namespaced claim as Auth0 writes custom claims, a clock skew of 1 s (so an expiry is
 * seen within seconds) and a token cache of 8 entries (so it fills). The JWKS refresh settings are
 * the production defaults of {@code application.properties}.
 */
public class KeycloakShapedTokens implements QuarkusTestProfile {

    static final String TENANT_CLAIM = "https://saas.example/tenant";
    static final int CACHE_ENTRIES = 8;
    /** What the JWKS answers say until the test shortens it. */
    static final int JWKS_MAX_AGE_SECONDS = 3600;
    /** Started with the profile's application; the test reaches it here. */
    static final IdentityProvider IDP = start();

    private static IdentityProvider start() {
        IdentityProvider idp = new IdentityProvider(JWKS_MAX_AGE_SECONDS);
        idp.publish("k1");
        return idp;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "mp.jwt.verify.publickey", "NONE", // smallrye-jwt's "unset": this profile trusts the JWKS only
                "mp.jwt.verify.publickey.location", IDP.jwksUrl(),
                "mp.jwt.verify.issuer", IDP.issuer(),
                "smallrye.jwt.path.groups", "realm_access/roles",
                "tenantgate.security.tenant-claim", TENANT_CLAIM,
                "tenantgate.security.token-cache.max-entries", Integer.toString(CACHE_ENTRIES),
                "mp.jwt.verify.clock.skew", "1");
    }
}
