package io.tenantgate.testing;

import com.sun.net.httpserver.HttpServer;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An identity provider as the application meets one in production, in this JVM: an issuer URL of
 * its own, signing keys with {@code kid}s that it publishes, rotates and withdraws at a JWKS
 * endpoint served over HTTP, and tokens in Keycloak's layout (roles under
 * {@code realm_access.roles}). It counts the JWKS requests it receives, so a test can see how hard
 * the application hits it. The JWKS answer carries {@code Cache-Control: max-age}, as the
 * providers that send one do.
 */
public final class IdentityProvider implements AutoCloseable {

    public static final String REALM = "/realms/saas";

    private final HttpServer server;
    private final Map<String, KeyPair> keys = new ConcurrentHashMap<>();
    private final Set<String> published = ConcurrentHashMap.newKeySet();
    private final AtomicInteger jwksRequests = new AtomicInteger();
    /** Signs tokens under made-up {@code kid}s: a key nobody publishes. */
    private final KeyPair rogue = TestPki.rsa();
    private volatile int maxAgeSeconds;

    public IdentityProvider(int maxAgeSeconds) {
        this.maxAgeSeconds = maxAgeSeconds;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext(REALM + "/protocol/openid-connect/certs", exchange -> {
            jwksRequests.incrementAndGet();
            byte[] body = jwks().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Cache-Control", "max-age=" + this.maxAgeSeconds);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + REALM;
    }

    public String jwksUrl() {
        return issuer() + "/protocol/openid-connect/certs";
    }

    /** JWKS requests received so far. */
    public int jwksRequests() {
        return jwksRequests.get();
    }

    /** What the JWKS answer's {@code Cache-Control: max-age} says from now on. */
    public void maxAge(int seconds) {
        maxAgeSeconds = seconds;
    }

    /** Makes a signing key and publishes it under {@code kid}. */
    public void publish(String kid) {
        keys.computeIfAbsent(kid, k -> TestPki.rsa());
        published.add(kid);
    }

    /** Takes {@code kid} out of the JWKS; the provider stops signing with it. */
    public void withdraw(String kid) {
        published.remove(kid);
    }

    /** A tenant user's token, signed with {@code kid}'s key (a key never published signs too). */
    public String tenantToken(String kid, String tenantClaim, String tenant, String... roles) {
        return sign(kid, claims("tenantgate", List.of(roles)).claim(tenantClaim, tenant), 600);
    }

    /** An operator's token: the operators' client's audience, the role, no tenant claim. */
    public String operatorToken(String kid) {
        return sign(kid, claims("tenantgate-admin", List.of("operator")), 600);
    }

    /** A well-formed tenant token under a {@code kid} the provider never published, signed by a stranger. */
    public String unknownKidToken(String kid, String tenantClaim, String tenant) {
        long now = System.currentTimeMillis() / 1000;
        return claims("tenantgate", List.of("user")).claim(tenantClaim, tenant).issuedAt(now).expiresAt(now + 600)
                .jws().keyId(kid).sign(rogue.getPrivate());
    }

    /** A tenant user's token that expires {@code seconds} from now. */
    public String expiringTenantToken(String kid, String tenantClaim, String tenant, long seconds) {
        return sign(kid, claims("tenantgate", List.of("user")).claim(tenantClaim, tenant), seconds);
    }

    private JwtClaimsBuilder claims(String audience, List<String> roles) {
        return Jwt.issuer(issuer()).audience(audience).subject("user-" + System.nanoTime())
                .claim("preferred_username", "someone")
                .claim("realm_access", Map.of("roles", roles))
                .claim("azp", audience);
    }

    private String sign(String kid, JwtClaimsBuilder claims, long lifetimeSeconds) {
        KeyPair pair = keys.computeIfAbsent(kid, k -> TestPki.rsa());
        long now = System.currentTimeMillis() / 1000;
        return SecretsLedger.record(claims.issuedAt(now).expiresAt(now + lifetimeSeconds).jws().keyId(kid)
                .sign(pair.getPrivate()));
    }

    private String jwks() {
        List<JsonWebKey> list = new ArrayList<>();
        for (String kid : published) {
            RsaJsonWebKey jwk = new RsaJsonWebKey((RSAPublicKey) keys.get(kid).getPublic());
            jwk.setKeyId(kid);
            jwk.setAlgorithm("RS256");
            jwk.setUse("sig");
            list.add(jwk);
        }
        return new JsonWebKeySet(list).toJson();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
