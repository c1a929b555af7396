package io.tenantgate.tenant.dashboard;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tenantgate.tenant.permissions.Permissions;
import io.tenantgate.tenant.permissions.TenantAccess;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/dashboard}: the caller's tenant at a glance; needs {@code customers:read}. */
@Path("/api/dashboard")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Dashboard")
public class DashboardResource {

    private final TenantAccess access;
    private final DashboardService service;

    public DashboardResource(TenantAccess access, DashboardService service) {
        this.access = access;
        this.service = service;
    }

    @GET
    @Operation(operationId = "getDashboard", summary = "The dashboard: customer counts, newest customers, reports by status")
    public Uni<Dashboard> get() {
        return access.with(Permissions.CUSTOMERS_READ, service::of);
    }
}
