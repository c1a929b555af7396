package io.tenantgate.control.security;

import io.smallrye.mutiny.Uni;
import io.tenantgate.control.migration.TenantMigrations;
import io.tenantgate.control.registry.TenantDirectory;
import io.tenantgate.control.registry.TenantKey;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TenantStatus;
import io.tenantgate.platform.observability.CallContext;
import io.tenantgate.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;


/**
 * The tenant of the current request, taken from the verified token's tenant claim ({@code tenantgate.security.tenant-claim},
 * default {@code tenant}) and
 * nowhere else (never a header or query parameter), so a caller can only reach its own tenant.
 */
@ApplicationScoped
public class CurrentTenant {

    private static final int EXPECTED_SCHEMA = TenantMigrations.expectedVersion();

    private final JsonWebToken token;
    private final TenantDirectory directory;
    private final String claim;

    public CurrentTenant(JsonWebToken token, TenantDirectory directory, SecurityConfig config) {
        this.token = token;
        this.directory = directory;
        this.claim = config.tenantClaim();
    }

    /** The caller's tenant: 401 if the token names none, 404 if unknown, 403 if suspended. */
    public Uni<TenantRoute> route() {
        String key = tenantClaim();
        if (!TenantKey.isValid(key)) {
            return Uni.createFrom().failure(new ProblemException(401, "invalid-tenant-claim", "Unauthorized",
                    "the token's tenant claim is missing or malformed"));
        }
        CallContext.tenant(key);
        return directory.find(key).map(route -> {
            ProblemException refusal = refusal(key, route);
            if (refusal != null) {
                throw refusal;
            }
            return route;
        });
    }

    /**
     * The caller's tenant when it is known, servable and cached, decided at once; null otherwise
     * (then {@link #route()} decides, and says why not).
     */
    public TenantRoute servableIfCached() {
        String key = tenantClaim();
        if (!TenantKey.isValid(key)) {
            return null;
        }
        CallContext.tenant(key);
        TenantRoute route = directory.cached(key);
        return route == null || refusal(key, route) != null ? null : route;
    }

    private static ProblemException refusal(String key, TenantRoute route) {
        if (route == null) {
            return ProblemException.notFound("unknown-tenant", "tenant '" + key + "' does not exist");
        }
        if (route.status() != TenantStatus.ACTIVE) {
            return new ProblemException(403, "tenant-suspended", "Forbidden", "tenant '" + key + "' is suspended");
        }
        if (route.schemaVersion() < EXPECTED_SCHEMA) {
            // This build's queries need a newer schema; the fleet upgrade is on its way to it.
            return ProblemException.unavailable("tenant-schema-behind", "tenant '" + key
                    + "' is being upgraded to this version's schema; retry shortly", 5);
        }
        return null;
    }

    /**
     * The token's tenant claim if it is a string, else null. Read untyped: a claim that is a number
     * or an array must be a 401, not a ClassCastException. The principal is {@link VerifiedTokens}'
     * own, which read the claim once when the token was verified.
     */
    private String tenantClaim() {
        Object claim = token.getClaim(this.claim);
        return claim instanceof JsonString json ? json.getString() : claim instanceof String text ? text : null;
    }
}
