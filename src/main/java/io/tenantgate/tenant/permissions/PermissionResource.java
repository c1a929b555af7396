package io.tenantgate.tenant.permissions;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tenantgate.control.security.CurrentTenant;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Set;
import java.util.TreeSet;

/** {@code GET /api/permissions}: what the caller's roles may do in their own tenant. */
@Path("/api/permissions")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Permissions")
public class PermissionResource {

    private final CurrentTenant tenant;
    private final Permissions permissions;
    private final JsonWebToken token;

    public PermissionResource(CurrentTenant tenant, Permissions permissions, JsonWebToken token) {
        this.tenant = tenant;
        this.permissions = permissions;
        this.token = token;
    }

    /** The caller's tenant, roles (the token's groups) and the permissions they grant there. */
    public record CallerPermissions(String tenant, Set<String> roles, Set<String> permissions) {
    }

    @GET
    @Operation(operationId = "getPermissions", summary = "The caller's roles and the permissions they grant in the tenant")
    public Uni<CallerPermissions> get() {
        Set<String> roles = new TreeSet<>(token.getGroups());
        return tenant.route().chain(route -> permissions.of(route, roles)
                .map(granted -> new CallerPermissions(route.key(), roles, granted)));
    }
}
