package io.tenantgate.control.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.tenantgate.control.registry.TenantKey;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantStatus;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.platform.problem.ProblemException;
import io.tenantgate.platform.problem.QueryParams;
import io.tenantgate.platform.problem.RequiredBody;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
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
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Iterator;
import java.util.Set;

/**
 * Tenants at run time, for operators (group {@code operator}; others get 403): add, list, read,
 * change and remove, with no restart. Adding or reconnecting a tenant proves its database first
 * (connect and migrate) and stores nothing if that fails (422 naming the cause). Passwords go in,
 * inline (stored encrypted) or as a reference, and never come out.
 */
@Path("/admin/tenants")
@RolesAllowed("operator")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Tenant admin")
public class TenantAdminResource {

    /** The fields a PATCH may name; {@code TenantChangeSchemaTest} keeps {@link TenantChange} equal to it. */
    static final Set<String> PATCHABLE = Set.of("displayName", "status", "host", "port", "database",
            "username", "password", "passwordRef", "tlsMode", "maxPoolSize");

    private final TenantProvisioner provisioner;

    public TenantAdminResource(TenantProvisioner provisioner) {
        this.provisioner = provisioner;
    }

    @POST
    @Operation(operationId = "createTenant", summary = "Add a tenant (proved and migrated before it is stored)")
    @APIResponse(responseCode = "201", description = "Added: proved, migrated and stored", headers = @Header(ref = "Location"),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TenantView.class)))
    public Uni<Response> create(NewTenant tenant, @Context UriInfo uri) {
        if (tenant == null) {
            throw ProblemException.invalid(RequiredBody.FIELD, "a JSON object describing the tenant is required");
        }
        return provisioner.provision(tenant).chain(route -> provisioner.find(route.key()))
                .map(view -> Response.created(uri.getAbsolutePathBuilder().path(view.key()).build()).entity(view)
                        .build());
    }

    @GET
    @Operation(operationId = "listTenants", summary = "List tenants, optionally by status or kind")
    public Uni<TenantProvisioner.TenantList> list(
            @QueryParam("status") @Parameter(schema = @Schema(implementation = TenantStatus.class)) String status,
            @QueryParam("kind") @Parameter(schema = @Schema(implementation = DatabaseKind.class)) String kind,
            @QueryParam("page") @DefaultValue("0") @Parameter(description = "Page number, from 0",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "0", maximum = "1000000", defaultValue = "0")) String page,
            @QueryParam("size") @DefaultValue("50") @Parameter(description = "Tenants per page",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "500", defaultValue = "50")) String size) {
        return provisioner.list(QueryParams.enumParam(TenantStatus.class, "status", status), QueryParams.enumParam(DatabaseKind.class, "kind", kind),
                QueryParams.intParam("page", page, 0, 1_000_000), QueryParams.intParam("size", size, 1, 500));
    }

    @GET
    @Path("/{key}")
    @Operation(operationId = "getTenant", summary = "Read one tenant (never its password)")
    public Uni<TenantView> get(@PathParam("key") String key) {
        return provisioner.find(validKey(key)).map(view -> found(view, key));
    }

    @PATCH
    @Path("/{key}")
    @Operation(operationId = "changeTenant", summary = "Change a tenant: status, pool limit, connection details or credentials",
            description = "JSON merge-patch semantics (RFC 7396) on the fields of TenantChange: a field left out stays "
                    + "as it is; `maxPoolSize: null` returns the tenant to the configured default; on any other field "
                    + "null is the same as leaving it out. New connection details are proved before anything is "
                    + "stored, and need the password (or passwordRef) with them.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = TenantChange.class)))
    public Uni<TenantView> change(@PathParam("key") String key, JsonNode body) {
        TenantPatch patch = patchOf(body);
        return provisioner.change(validKey(key), patch).map(view -> found(view, key));
    }

    @DELETE
    @Path("/{key}")
    @Operation(operationId = "removeTenant", summary = "Remove a tenant (its pool closes; its database is kept)")
    @APIResponse(responseCode = "204", description = "Removed")
    public Uni<Response> remove(@PathParam("key") String key) {
        return provisioner.remove(validKey(key)).map(removed -> {
            if (!removed) {
                throw unknown(key);
            }
            return Response.noContent().build();
        });
    }

    /**
     * The body of {@code PATCH /admin/tenants/{key}} as the API description shows it; the resource
     * reads the JSON itself, since "left out" and {@code null} differ for {@code maxPoolSize}.
     */
    @Schema(name = "TenantChange", description = "The fields to change; every one is optional")
    public record TenantChange(String displayName, TenantStatus status, String host,
                               @Schema(minimum = "1", maximum = "65535") Integer port, String database, String username,
                               @Schema(description = "Stored encrypted; never returned") String password,
                               @Schema(description = "`env:NAME`, `config:property` or `file:KEY` (a secret file: follows rotation), naming the tenant's own secret")
                               String passwordRef, TlsMode tlsMode,
                               @Schema(minimum = "1", maximum = "1000", nullable = true, description = "null: back to the configured default")
                               Integer maxPoolSize) {
    }

    private static TenantPatch patchOf(JsonNode body) {
        if (body == null || !body.isObject() || body.isEmpty()) {
            throw ProblemException.invalid(RequiredBody.FIELD, "a JSON object with the fields to change is required");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!PATCHABLE.contains(name)) {
                throw ProblemException.badRequest("malformed-body", "unknown or unchangeable field '" + name + "'");
            }
        }
        JsonNode maxPoolSize = body.get("maxPoolSize");
        return new TenantPatch(text(body, "displayName"), QueryParams.enumParam(TenantStatus.class, "status", text(body, "status")),
                text(body, "host"), integer(body, "port"), text(body, "database"), text(body, "username"),
                text(body, "password"), text(body, "passwordRef"), QueryParams.enumParam(TlsMode.class, "tlsMode", text(body, "tlsMode")),
                maxPoolSize == null || maxPoolSize.isNull() ? null : integer(body, "maxPoolSize"),
                maxPoolSize != null && maxPoolSize.isNull());
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ProblemException.badRequest("malformed-body", "field '" + field + "' has the wrong type");
        }
        return node.asText();
    }

    private static Integer integer(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isInt()) {
            throw ProblemException.badRequest("malformed-body", "field '" + field + "' has the wrong type");
        }
        return node.asInt();
    }

    private static String validKey(String key) {
        if (!TenantKey.isValid(key)) {
            throw ProblemException.badRequest("invalid-tenant-key", "tenant keys match " + TenantKey.REGEX);
        }
        return key;
    }

    private static TenantView found(TenantView view, String key) {
        if (view == null) {
            throw unknown(key);
        }
        return view;
    }

    private static ProblemException unknown(String key) {
        return ProblemException.notFound("unknown-tenant", "tenant '" + key + "' does not exist");
    }
}
