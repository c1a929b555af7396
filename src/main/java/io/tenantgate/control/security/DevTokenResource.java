package io.tenantgate.control.security;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import io.tenantgate.control.registry.TenantKey;
import io.tenantgate.platform.problem.ProblemException;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code GET /dev/token?tenant=acme&groups=user}: a signed token for trying the API by hand;
 * {@code GET /dev/token?groups=operator} (no tenant) an operator's token, with the operator
 * audience ({@link OperatorIdentity}). Exists only where {@code tenantgate.dev-token.enabled} is
 * true (dev, demo, test); elsewhere the path answers 404 as if it did not exist.
 */
@Path("/dev/token")
@PermitAll
@Tag(name = "Development")
public class DevTokenResource {

    private final DevTokenConfig config;
    private final PrivateKey signingKey;

    private final SecurityConfig security;

    public DevTokenResource(DevTokenConfig config, SecurityConfig security) {
        this.config = config;
        this.security = security;
        this.signingKey = config.enabled() ? config.signingKey().map(DevTokenResource::decode).orElse(null) : null;
    }

    private static PrivateKey decode(String pem) {
        try {
            return KeyUtils.decodePrivateKey(pem);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("tenantgate.dev-token.signing-key is not a PEM private key");
        }
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(operationId = "getDevToken", summary = "A signed token for a tenant or an operator (dev, demo and test only)")
    public String token(@QueryParam("tenant") String tenant, @QueryParam("groups") String groups) {
        if (signingKey == null) {
            throw ProblemException.notFound("not-found", "Not Found");
        }
        Set<String> groupSet = new LinkedHashSet<>(Arrays.asList((groups == null || groups.isBlank() ? "user" : groups)
                .split(",")));
        if (!groupSet.stream().allMatch(g -> g.matches("^[a-z][a-z0-9-]{0,31}$"))) {
            throw ProblemException.invalid("groups", "comma-separated lower-case names");
        }
        if (tenant == null && groupSet.contains(security.operatorGroup())) {
            return Jwt.issuer(config.issuer())
                    .audience(security.operatorAudience())
                    .subject("dev-operator")
                    .groups(groupSet)
                    .expiresIn(config.lifetime())
                    .sign(signingKey);
        }
        if (!TenantKey.isValid(tenant)) {
            throw ProblemException.invalid("tenant", "must match " + TenantKey.REGEX
                    + " (or leave it out, with groups=" + security.operatorGroup() + ", for an operator's token)");
        }
        return Jwt.issuer(config.issuer())
                .audience(config.audience())
                .subject(tenant + "-dev-user")
                .claim(security.tenantClaim(), tenant)
                .groups(groupSet)
                .expiresIn(config.lifetime())
                .sign(signingKey);
    }
}
