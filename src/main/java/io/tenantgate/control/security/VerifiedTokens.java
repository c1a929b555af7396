package io.tenantgate.control.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.DefaultJWTTokenParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.UnresolvableKeyException;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * smallrye-jwt's token verification with a cache of verified tokens in front, so that a client
 * sending the same token for minutes pays the RSA signature check once, not on every request (the
 * idea of Envoy's {@code jwt_authn} {@code jwt_cache_config}). Installed through smallrye-jwt's
 * supported extension point: a {@link JWTCallerPrincipalFactory} CDI alternative; a miss verifies
 * exactly as smallrye-jwt's default factory does ({@link DefaultJWTTokenParser}, the same
 * configuration), and only a token that verified is kept.
 *
 * <p>Invariants:
 * <ul>
 *   <li>An entry is keyed by the SHA-256 digest of the whole token (header, payload and signature),
 *       so a token that differs in any byte is a miss and is verified afresh.</li>
 *   <li>At most {@code max-entries} entries (the least recently used go first), each kept until
 *       the token's {@code exp} and at most {@code max-age}.</li>
 *   <li>A hit is served only if, now, the token would still pass every check that does not need
 *       the signature: {@code exp}, {@code nbf} and the token age with the same clock skew,
 *       issuer and audience against the configuration in force, and the key that verified it
 *       still published under its {@code kid} (asked of smallrye-jwt's own key resolver, so a key
 *       withdrawn from the JWKS ends its tokens' entries when smallrye-jwt's copy of the key set
 *       is refreshed). A hit that fails any of them is dropped and the token verified afresh,
 *       which refuses it.</li>
 * </ul>
 * Hits, misses and evictions are in the metrics ({@code cache_gets_total{cache="tenantgate.tokens"}},
 * {@code cache_evictions_total}, {@code cache_size}).
 */
@ApplicationScoped
@Alternative
@Priority(1)
public class VerifiedTokens extends JWTCallerPrincipalFactory {

    private final KeyAwareParser parser = new KeyAwareParser();
    private final Cache<Digest, Verified> cache;
    private final String tenantClaim;
    /** The configuration's rules, read once: it is fixed at run time, and each read goes through a CDI proxy. */
    private volatile Rules rules;

    public VerifiedTokens(SecurityConfig config, MeterRegistry metrics) {
        this.tenantClaim = config.tenantClaim();
        SecurityConfig.TokenCache settings = config.tokenCache();
        if (settings.enabled()) {
            long maxAgeNanos = settings.maxAge().toNanos();
            cache = Caffeine.newBuilder()
                    .maximumSize(Math.max(1, settings.maxEntries()))
                    .expireAfter(new UntilExpiry(maxAgeNanos))
                    // Evictions on the caller's thread, at once: the bound holds without a background pool.
                    .executor(Runnable::run)
                    .recordStats()
                    .build();
            CaffeineCacheMetrics.monitor(metrics, cache, "tenantgate.tokens");
        } else {
            cache = null;
        }
    }

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo context) throws ParseException {
        if (cache == null) {
            return verify(token, context).principal();
        }
        Digest digest = Digest.of(token);
        Verified hit = cache.getIfPresent(digest);
        if (hit != null) {
            if (hit.stillValid(rules(context), parser)) {
                return hit.principal();
            }
            cache.invalidate(digest); // verified afresh below, which refuses it
        }
        Verified verified = verify(token, context);
        if (verified.key() != null) {
            cache.put(digest, verified);
        }
        return verified.principal();
    }

    /** What smallrye-jwt's default factory does, keeping the signature and key that verified. */
    private Verified verify(String token, JWTAuthContextInfo context) throws ParseException {
        JwtContext verified = parser.parse(token, context);
        JwtClaims claims = verified.getJwtClaims();
        String type = verified.getJoseObjects().get(0).getHeader("typ");
        JWTCallerPrincipal principal = new TenantPrincipal(type, claims, tenantClaim);
        // Only plainly signed tokens are kept: an encrypted one's outer layer says nothing of the key.
        if (verified.getJoseObjects().size() != 1 || !(verified.getJoseObjects().get(0) instanceof JsonWebSignature jws)
                || jws.getKey() == null) {
            return new Verified(principal, null, null, 0, 0, 0, null, List.of());
        }
        try {
            NumericDate exp = claims.getExpirationTime();
            NumericDate nbf = claims.getNotBefore();
            NumericDate iat = claims.getIssuedAt();
            // What the key resolver reads of a token (kid and alg), to ask it again on each hit.
            JsonWebSignature header = new JsonWebSignature();
            header.setAlgorithmHeaderValue(jws.getAlgorithmHeaderValue());
            if (jws.getKeyIdHeaderValue() != null) {
                header.setKeyIdHeaderValue(jws.getKeyIdHeaderValue());
            }
            return new Verified(principal, jws.getKey(), header,
                    exp == null ? Long.MIN_VALUE : exp.getValue(), nbf == null ? Long.MIN_VALUE : nbf.getValue(),
                    iat == null ? Long.MIN_VALUE : iat.getValue(), claims.getIssuer(), claims.getAudience());
        } catch (MalformedClaimException e) {
            return new Verified(principal, null, null, 0, 0, 0, null, List.of()); // verified, but not kept
        }
    }

    private Rules rules(JWTAuthContextInfo context) {
        Rules current = rules;
        if (current == null || current.context() != context) {
            current = Rules.of(context);
            rules = current;
        }
        return current;
    }

    /** What a hit is checked against: the configuration's rules for what needs no signature. */
    private record Rules(JWTAuthContextInfo context, int skew, Long tokenAge, String issuer, Set<String> audiences,
                         Key fixedKey) {

        static Rules of(JWTAuthContextInfo context) {
            int skew = context.getExpGracePeriodSecs() > 0 ? context.getExpGracePeriodSecs()
                    : Math.max(0, context.getClockSkew());
            Key fixed = context.getPublicVerificationKey() != null ? context.getPublicVerificationKey()
                    : context.getSecretVerificationKey();
            return new Rules(context, skew, context.getTokenAge(), context.getIssuedBy(), context.getExpectedAudience(),
                    fixed);
        }
    }

    /**
     * smallrye-jwt's principal, with the tenant claim read once when the token is verified: the
     * library would look a custom claim up through an exception on every request.
     */
    private static final class TenantPrincipal extends DefaultJWTCallerPrincipal {

        private final String tenantClaim;
        private final Object tenant;

        TenantPrincipal(String type, JwtClaims claims, String tenantClaim) {
            super(type, claims);
            this.tenantClaim = tenantClaim;
            this.tenant = super.getClaimValue(tenantClaim);
        }

        @Override
        protected Object getClaimValue(String claimName) {
            return tenantClaim.equals(claimName) ? tenant : super.getClaimValue(claimName);
        }
    }

    /** SHA-256 of the whole token: equal digests, equal tokens. */
    private record Digest(byte[] bytes, int hash) {

        private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        });

        static Digest of(String token) {
            byte[] bytes = SHA_256.get().digest(token.getBytes(StandardCharsets.US_ASCII)); // digest() resets it
            return new Digest(bytes, Arrays.hashCode(bytes));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Digest digest && MessageDigest.isEqual(bytes, digest.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * A token that verified: its principal, the key that verified it, and what is checked again on
     * every hit. Times are the token's, in seconds; {@code Long.MIN_VALUE} when the claim is absent.
     */
    private record Verified(JWTCallerPrincipal principal, Key key, JsonWebSignature header, long exp, long nbf,
                            long iat, String issuer, List<String> audience) {

        boolean stillValid(Rules rules, KeyAwareParser parser) {
            long now = System.currentTimeMillis() / 1000;
            int skew = rules.skew();
            // The rules jose4j's JwtConsumer applied when the token was verified, with the same skew.
            if (exp == Long.MIN_VALUE || now >= exp + skew) {
                return false;
            }
            if (nbf != Long.MIN_VALUE && now + skew < nbf) {
                return false;
            }
            Long maxAge = rules.tokenAge();
            if (maxAge != null && (iat == Long.MIN_VALUE || now - iat > maxAge)) {
                return false;
            }
            if (rules.issuer() != null && !rules.issuer().equals(issuer)) {
                return false;
            }
            Set<String> audiences = rules.audiences();
            if (audiences != null && audience.stream().noneMatch(audiences::contains)) {
                return false;
            }
            return keyStillPublished(rules, parser);
        }

        private boolean keyStillPublished(Rules rules, KeyAwareParser parser) {
            if (rules.fixedKey() != null) {
                return key.equals(rules.fixedKey());
            }
            try {
                Key current = parser.keys(rules.context()).resolveKey(header, List.of());
                return current == key || key.equals(current);
            } catch (UnresolvableKeyException | RuntimeException gone) {
                return false;
            }
        }
    }

    /** Until the token's {@code exp}, and at most {@code max-age}. */
    private record UntilExpiry(long maxAgeNanos) implements Expiry<Digest, Verified> {

        @Override
        public long expireAfterCreate(Digest key, Verified value, long currentTime) {
            long untilExp = TimeUnit.SECONDS.toNanos(Math.max(0, value.exp() - System.currentTimeMillis() / 1000));
            return Math.min(maxAgeNanos, untilExp);
        }

        @Override
        public long expireAfterUpdate(Digest key, Verified value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
        }

        @Override
        public long expireAfterRead(Digest key, Verified value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }

    /** smallrye-jwt's parser, with its key resolver (the one that verified the token) reachable. */
    private static final class KeyAwareParser extends DefaultJWTTokenParser {

        VerificationKeyResolver keys(JWTAuthContextInfo context) throws UnresolvableKeyException {
            return getVerificationKeyResolver(context);
        }
    }
}
