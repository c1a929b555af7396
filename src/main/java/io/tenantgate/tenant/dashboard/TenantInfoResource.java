package io.tenantgate.tenant.dashboard;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tenantgate.control.security.CurrentTenant;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantStatus;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /api/tenant-info}: the caller's own tenant as its users may see it. Never connection
 * details: no host, port, database or user name.
 */
@Path("/api/tenant-info")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Dashboard")
public class TenantInfoResource {

    private final CurrentTenant tenant;

    public TenantInfoResource(CurrentTenant tenant) {
        this.tenant = tenant;
    }

    public record TenantInfo(String key, String name, TenantStatus status, DatabaseKind kind) {
    }

    @GET
    @Operation(operationId = "getTenantInfo", summary = "Who the caller is: tenant, name and database kind")
    public Uni<TenantInfo> get() {
        return tenant.route().map(route -> new TenantInfo(route.key(), route.displayName(), route.status(), route.kind()));
    }
}
