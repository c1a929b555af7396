package io.tenantgate.reports;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tenantgate.permissions.Permissions;
import io.tenantgate.problem.ProblemException;
import io.tenantgate.problem.QueryParams;
import io.tenantgate.registry.TenantRoute;
import io.tenantgate.security.CurrentTenant;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.List;
import java.util.Locale;

/**
 * Report templates and report requests of the caller's tenant. Reading needs {@code reports:read},
 * filing and changing {@code reports:write}. A request carries its version as {@code ETag}; a
 * {@code PUT} must send it back in {@code If-Match} (428 without, 412 if stale).
 */
@Path("/api")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ReportResource {

    private final CurrentTenant tenant;
    private final ReportService service;
    private final Permissions permissions;
    private final JsonWebToken token;

    public ReportResource(CurrentTenant tenant, ReportService service, Permissions permissions, JsonWebToken token) {
        this.tenant = tenant;
        this.service = service;
        this.permissions = permissions;
        this.token = token;
    }

    private Uni<TenantRoute> allowed(String permission) {
        return tenant.route().call(route -> permissions.require(route, token.getGroups(), permission));
    }

    @GET
    @Path("/report-templates")
    public Uni<List<ReportTemplate>> templates() {
        return allowed(Permissions.REPORTS_READ).chain(service::templates);
    }

    @GET
    @Path("/reports")
    public Uni<ReportPage> list(@QueryParam("status") String status, @QueryParam("page") @DefaultValue("0") String page,
                                @QueryParam("size") @DefaultValue("20") String size) {
        ReportStatus filter = status(status);
        int pageNumber = QueryParams.intParam("page", page, 0, 1_000_000);
        int pageSize = QueryParams.intParam("size", size, 1, 100);
        return allowed(Permissions.REPORTS_READ).chain(route -> service.page(route, filter, pageNumber, pageSize));
    }

    @POST
    @Path("/reports")
    public Uni<Response> create(@NotNull @Valid ReportInput input, @Context UriInfo uri) {
        return allowed(Permissions.REPORTS_WRITE).chain(route -> service.create(route, input))
                .map(created -> Response.created(uri.getAbsolutePathBuilder().path(created.id().toString()).build())
                        .tag(ReportIds.etag(created.version())).entity(created).build());
    }

    @GET
    @Path("/reports/{id}")
    public Uni<Response> get(@PathParam("id") String id) {
        var reportId = ReportIds.parse(id, "id");
        return allowed(Permissions.REPORTS_READ).chain(route -> service.get(route, reportId))
                .map(found -> Response.ok(found).tag(ReportIds.etag(found.version())).build());
    }

    @PUT
    @Path("/reports/{id}")
    public Uni<Response> update(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
                                @NotNull @Valid ReportChange change) {
        var reportId = ReportIds.parse(id, "id");
        long expected = ReportIds.ifMatch(ifMatch);
        return allowed(Permissions.REPORTS_WRITE).chain(route -> service.update(route, reportId, change, expected))
                .map(updated -> Response.ok(updated).tag(ReportIds.etag(updated.version())).build());
    }

    private static ReportStatus status(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return ReportStatus.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("validation", "status: one of " + java.util.Arrays.toString(ReportStatus.values()));
        }
    }
}
