package io.tenantgate.tenant.permissions;

import io.smallrye.mutiny.Uni;
import io.tenantgate.control.security.CurrentTenant;
import io.tenantgate.governor.route.TenantRoute;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.function.Function;

/**
 * The gate every tenant endpoint passes: the caller's tenant (from the token), once their roles
 * there are known to grant the permission the endpoint needs (403 {@code permission-denied}
 * otherwise).
 */
@ApplicationScoped
public class TenantAccess {

    private final CurrentTenant tenant;
    private final Permissions permissions;
    private final JsonWebToken token;

    public TenantAccess(CurrentTenant tenant, Permissions permissions, JsonWebToken token) {
        this.tenant = tenant;
        this.permissions = permissions;
        this.token = token;
    }

    /**
     * Runs {@code work} for the caller's tenant once their roles grant {@code permission}. The
     * usual request, a known tenant whose roles were looked up recently, is decided here at once
     * and {@code work} starts without a step in between: in Quarkus each {@code Uni} step captures
     * and restores the request's context.
     */
    public <T> Uni<T> with(String permission, Function<TenantRoute, Uni<T>> work) {
        TenantRoute known = tenant.servableIfCached();
        if (known != null) {
            Boolean granted = permissions.grantsIfKnown(known, token.getGroups(), permission);
            if (Boolean.TRUE.equals(granted)) {
                try {
                    return work.apply(known);
                } catch (RuntimeException e) {
                    return Uni.createFrom().failure(e); // as a failure inside a Uni step would end
                }
            }
            if (Boolean.FALSE.equals(granted)) {
                return Uni.createFrom().failure(Permissions.denied(known, permission));
            }
        }
        return tenant.route().call(route -> permissions.require(route, token.getGroups(), permission))
                .chain(route -> work.apply(route));
    }
}
