package io.tenantgate.tenant.customers;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.tenantgate.platform.problem.Preconditions;
import io.tenantgate.platform.problem.ProblemException;
import io.tenantgate.platform.problem.QueryParams;
import io.tenantgate.platform.problem.RequiredBody;
import io.tenantgate.tenant.permissions.Permissions;
import io.tenantgate.tenant.permissions.TenantAccess;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.UUID;

/**
 * The customers of the caller's tenant. The tenant comes from the token only, so no request can
 * name another tenant's data.
 */
@Path("/api/customers")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Customers")
public class CustomerResource {

    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final TenantAccess access;
    private final CustomerService service;

    public CustomerResource(TenantAccess access, CustomerService service) {
        this.access = access;
        this.service = service;
    }

    @GET
    @Operation(operationId = "listCustomers", summary = "List customers, newest first, optionally searched by name or email")
    @APIResponse(responseCode = "200", description = "One page of customers",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CustomerPage.class)))
    public Uni<CustomerPage> list(@QueryParam("page") @DefaultValue("0") @Parameter(description = "Page number, from 0",
                                          schema = @Schema(type = SchemaType.INTEGER, minimum = "0", maximum = "1000000", defaultValue = "0")) String page,
                                  @QueryParam("size") @DefaultValue("20") @Parameter(description = "Customers per page",
                                          schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100", defaultValue = "20")) String size,
                                  @QueryParam("q") @Size(max = 200) @Parameter(description = "Part of a name or e-mail, any case")
                                  String q) {
        // Parsed here, not by JAX-RS: a failed @QueryParam conversion is a 404 by the spec.
        int pageNumber = QueryParams.intParam("page", page, 0, 1_000_000);
        int pageSize = QueryParams.intParam("size", size, 1, 100);
        return access.with(Permissions.CUSTOMERS_READ, route -> service.list(route, q, pageNumber, pageSize));
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getCustomer", summary = "Read one customer (its ETag is its version)")
    @APIResponse(responseCode = "200", description = "The customer", headers = @Header(ref = "ETag"),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Customer.class)))
    public Uni<Response> get(@PathParam("id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id) {
        UUID customerId = parse(id);
        return access.with(Permissions.CUSTOMERS_READ, route -> service.get(route, customerId))
                .map(found -> Response.ok(found).tag(Preconditions.etag(found.version())).build());
    }

    /**
     * Creates a customer. With an {@code Idempotency-Key} header the request may be repeated safely
     * (the first response is replayed, marked {@code Idempotent-Replayed: true}); without one, a
     * client that retries after a lost reply may create a twin.
     */
    @POST
    @Operation(operationId = "createCustomer", summary = "Create a customer (once per Idempotency-Key)")
    @Parameter(name = IDEMPOTENCY_KEY, in = ParameterIn.HEADER, description = "Makes a retry safe: the first answer "
            + "is stored for a day and replayed to any request with the same key and body",
            schema = @Schema(type = SchemaType.STRING, minLength = 1, maxLength = 255))
    @APIResponse(responseCode = "201", description = "Created; a replayed answer says `Idempotent-Replayed: true`",
            headers = {@Header(ref = "Location"), @Header(ref = "Idempotent-Replayed")},
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Customer.class)))
    public Uni<Response> create(@RequiredBody @Valid CustomerInput input, @Context UriInfo uri,
                                @Context HttpHeaders headers) {
        // Present but empty is a malformed key, not "no key": read the header's presence, not its value.
        List<String> keys = headers.getRequestHeader(IDEMPOTENCY_KEY);
        String idempotencyKey = keys == null || keys.isEmpty() ? null : keys.get(0) == null ? "" : keys.get(0);
        if (keys != null && keys.size() > 1) {
            throw ProblemException.badRequest("invalid-idempotency-key", "send one Idempotency-Key header");
        }
        if (idempotencyKey != null) {
            return access.with(Permissions.CUSTOMERS_WRITE, route -> service.create(route, input, idempotencyKey))
                    .map(stored -> Response.status(stored.status())
                            .location(uri.getBaseUriBuilder().path(stored.location()).build())
                            .header("Idempotent-Replayed", stored.replayed())
                            .type(MediaType.APPLICATION_JSON)
                            .entity(stored.body())
                            .build());
        }
        return access.with(Permissions.CUSTOMERS_WRITE, route -> service.create(route, input))
                .map(created -> Response.created(uri.getAbsolutePathBuilder().path(created.id().toString()).build())
                        .entity(created)
                        .build());
    }

    @PUT
    @Path("/{id}")
    @Operation(operationId = "updateCustomer", summary = "Replace a customer (If-Match for a conditional update)")
    @APIResponse(responseCode = "200", description = "The customer as changed", headers = @Header(ref = "ETag"),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Customer.class)))
    public Uni<Response> update(@PathParam("id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id,
                                @HeaderParam("If-Match") @Parameter(description = "The ETag read: 412 if the customer "
                                        + "changed since; without it the customer is replaced unconditionally") String ifMatch,
                                @RequiredBody @Valid CustomerInput input) {
        UUID customerId = parse(id);
        // If-Match is honoured when sent (412 when stale); without it the PUT replaces unconditionally.
        Long expected = ifMatch == null ? null : Preconditions.ifMatch(ifMatch);
        return access.with(Permissions.CUSTOMERS_WRITE, route -> service.update(route, customerId, input, expected))
                .map(updated -> Response.ok(updated).tag(Preconditions.etag(updated.version())).build());
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "deleteCustomer", summary = "Delete a customer")
    @APIResponse(responseCode = "204", description = "Deleted")
    public Uni<Response> delete(@PathParam("id") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) String id) {
        UUID customerId = parse(id);
        return access.with(Permissions.CUSTOMERS_WRITE, route -> service.delete(route, customerId)).map(done -> Response.noContent().build());
    }

    private static UUID parse(String id) {
        return QueryParams.uuid(id, "customer ids are UUIDs");
    }
}
