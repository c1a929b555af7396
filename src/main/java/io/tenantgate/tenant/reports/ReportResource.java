package io.tenantgate.tenant.reports;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tenantgate.platform.problem.Preconditions;
import io.tenantgate.platform.problem.QueryParams;
import io.tenantgate.platform.problem.RequiredBody;
import io.tenantgate.tenant.permissions.Permissions;
import io.tenantgate.tenant.permissions.TenantAccess;
import jakarta.validation.Valid;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/**
 * Report templates and report requests of the caller's tenant. Reading needs {@code reports:read},
 * filing and changing {@code reports:write}. A request carries its version as {@code ETag}; a
 * {@code PUT} must send it back in {@code If-Match} (428 without, 412 if stale).
 */
@Path("/api")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Reports")
public class ReportResource {

    private final TenantAccess access;
    private final ReportService service;

    public ReportResource(TenantAccess access, ReportService service) {
        this.access = access;
        this.service = service;
    }

    @GET
    @Path("/report-templates")
    @Operation(operationId = "listReportTemplates", summary = "List the report templates")
    public Uni<List<ReportTemplate>> templates() {
        return access.with(Permissions.REPORTS_READ, service::templates);
    }

    @GET
    @Path("/reports")
    @Operation(operationId = "listReports", summary = "List report requests, newest first, optionally by status")
    public Uni<ReportPage> list(@QueryParam("status") @Parameter(description = "Only requests in this status; empty for all",
                                        schema = @Schema(implementation = ReportStatus.class)) String status,
                                @QueryParam("page") @DefaultValue("0") @Parameter(description = "Page number, from 0",
                                        schema = @Schema(type = SchemaType.INTEGER, minimum = "0", maximum = "1000000", defaultValue = "0")) String page,
                                @QueryParam("size") @DefaultValue("20") @Parameter(description = "Requests per page",
                                        schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100", defaultValue = "20")) String size) {
        // An empty ?status= means no filter.
        ReportStatus filter = QueryParams.enumParam(ReportStatus.class, "status",
                status == null || status.isBlank() ? null : status);
        int pageNumber = QueryParams.intParam("page", page, 0, 1_000_000);
        int pageSize = QueryParams.intParam("size", size, 1, 100);
        return access.with(Permissions.REPORTS_READ, route -> service.page(route, filter, pageNumber, pageSize));
    }

    @POST
    @Path("/reports")
    @Operation(operationId = "createReport", summary = "Request a report")
    @APIResponse(responseCode = "201", description = "Filed, with its template embedded",
            headers = {@Header(ref = "Location"), @Header(ref = "ETag")},
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ReportRequest.class)))
    public Uni<Response> create(@RequiredBody @Valid ReportInput input, @Context UriInfo uri) {
        return access.with(Permissions.REPORTS_WRITE, route -> service.create(route, input))
                .map(created -> Response.created(uri.getAbsolutePathBuilder().path(created.id().toString()).build())
                        .tag(Preconditions.etag(created.version())).entity(created).build());
    }

    @GET
    @Path("/reports/{id}")
    @Operation(operationId = "getReport", summary = "Read one report request (its ETag is its version)")
    @APIResponse(responseCode = "200", description = "The report request", headers = @Header(ref = "ETag"),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ReportRequest.class)))
    public Uni<Response> get(@PathParam("id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id) {
        var reportId = ReportIds.parse(id, "id");
        return access.with(Permissions.REPORTS_READ, route -> service.get(route, reportId))
                .map(found -> Response.ok(found).tag(Preconditions.etag(found.version())).build());
    }

    @PUT
    @Path("/reports/{id}")
    @Operation(operationId = "updateReport", summary = "Change a report request's title or status (If-Match required)")
    @APIResponse(responseCode = "200", description = "The report request as changed", headers = @Header(ref = "ETag"),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ReportRequest.class)))
    public Uni<Response> update(@PathParam("id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id,
                                @HeaderParam("If-Match") @Parameter(required = true, description = "The ETag read: 428 "
                                        + "without it, 412 if the request changed since") String ifMatch,
                                @RequiredBody @Valid ReportChange change) {
        var reportId = ReportIds.parse(id, "id");
        long expected = Preconditions.ifMatch(ifMatch);
        return access.with(Permissions.REPORTS_WRITE, route -> service.update(route, reportId, change, expected))
                .map(updated -> Response.ok(updated).tag(Preconditions.etag(updated.version())).build());
    }
}
