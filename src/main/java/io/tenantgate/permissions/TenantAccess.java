package io.tenantgate.permissions;

import io.smallrye.mutiny.Uni;
import io.tenantgate.registry.TenantRoute;
import io.tenantgate.security.CurrentTenant;
import jakarta.enterprise.context.RequestScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The gate every tenant endpoint passes: the caller's tenant (from the token), once their roles
 * there are known to grant the permission the endpoint needs (403 {@code permission-denied}
 * otherwise).
 */
@RequestScoped
public class TenantAccess {

    private final CurrentTenant tenant;
    private final Permissions permissions;
    private final JsonWebToken token;

    public TenantAccess(CurrentTenant tenant, Permissions permissions, JsonWebToken token) {
        this.tenant = tenant;
        this.permissions = permissions;
        this.token = token;
    }

    public Uni<TenantRoute> allowed(String permission) {
        return tenant.route().call(route -> permissions.require(route, token.getGroups(), permission));
    }
}
