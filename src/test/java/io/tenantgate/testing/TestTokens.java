package io.tenantgate.testing;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import io.tenantgate.control.security.DevKeys;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.util.Set;

/**
 * Signs tokens the way an identity provider would, with the key the application trusts in this
 * run, so the same tests work against the prod-profile package where {@code /dev/token} is absent.
 */
public final class TestTokens {

    private TestTokens() {
    }

    public static String forTenant(String tenant, String... groups) {
        return sign(tenant, trustedKey(), groups.length == 0 ? Set.of("user") : Set.of(groups));
    }

    /**
     * A platform operator's token, as the operators' client of the identity provider issues it: group
     * {@code operator}, audience {@code tenantgate-admin}, no {@code tenant} claim.
     */
    public static String operator() {
        return SecretsLedger.record(Jwt.issuer("tenantgate").audience("tenantgate-admin").subject("ops-tester")
                .groups(Set.of("operator")).expiresIn(600).sign(trustedKey()));
    }

    /** Signed by the trusted key: a {@code tenant} claim only if {@code tenant} is not null. */
    public static String signed(String tenant, String audience, long expiresAt, String... groups) {
        io.smallrye.jwt.build.JwtClaimsBuilder claims = Jwt.issuer("tenantgate").audience(audience)
                .subject((tenant == null ? "nobody" : tenant) + "-tester").groups(Set.of(groups))
                .issuedAt(expiresAt - 600).expiresAt(expiresAt);
        if (tenant != null) {
            claims.claim("tenant", tenant);
        }
        return SecretsLedger.record(claims.sign(trustedKey()));
    }

    /** A well-formed token signed by a key the application has never seen. */
    public static String forged(String tenant) {
        return sign(tenant, decode(DevKeys.generate().privateKeyPem()), Set.of("user"));
    }

    /** Signed by the trusted key, with the given issuer, audience and expiry (epoch seconds). */
    public static String withClaims(String tenant, String issuer, String audience, long expiresAt) {
        return Jwt.issuer(issuer).audience(audience).subject(tenant + "-tester").claim("tenant", tenant)
                .groups(Set.of("user")).issuedAt(expiresAt - 600).expiresAt(expiresAt).sign(trustedKey());
    }

    /** A trusted token whose {@code tenant} claim is replaced by an arbitrary value. */
    public static String withClaim(String subject, Object tenantClaim) {
        return Jwt.issuer("tenantgate").audience("tenantgate").subject(subject + "-tester")
                .claim("tenant", tenantClaim).groups(Set.of("user")).expiresIn(600).sign(trustedKey());
    }

    private static String sign(String tenant, PrivateKey key, Set<String> groups) {
        return SecretsLedger.record(Jwt.issuer("tenantgate").audience("tenantgate").subject(tenant + "-tester")
                .claim("tenant", tenant).groups(groups).expiresIn(600).sign(key));
    }

    private static PrivateKey trustedKey() {
        return decode(RealDatabases.servers().config().get("tenantgate.dev-token.signing-key"));
    }

    private static PrivateKey decode(String pem) {
        try {
            return KeyUtils.decodePrivateKey(pem);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
