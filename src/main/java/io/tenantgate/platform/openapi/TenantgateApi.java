package io.tenantgate.platform.openapi;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The API's description at {@code /q/openapi}: every endpoint, its schemas, and the problem
 * documents it answers with ({@link ProblemResponses}). Clients can be generated from it.
 *
 * <p>The one security scheme, {@code bearer} (a JWT), is Quarkus's own, named in
 * {@code application.properties}: it also adds the scheme and the 401/403 answers to every
 * secured operation.
 */
@OpenAPIDefinition(
        info = @Info(title = "tenantgate", version = "0.1.0",
                description = "Tenant APIs served from per-tenant MySQL/MariaDB and PostgreSQL databases, with every "
                        + "connection governed. The tenant is the bearer token's `tenant` claim; operators' tokens "
                        + "reach the admin APIs. Errors are `application/problem+json` (RFC 9457) with a stable "
                        + "`type`, `urn:tenantgate:problem:` followed by a slug listed under each answer. Overload "
                        + "and open breakers are 503 with `Retry-After`."),
        // Response headers operations refer to by name; X-Request-Id and Retry-After are added by ProblemResponses.
        components = @Components(headers = {
                @Header(name = "ETag", description = "The resource's version, quoted; send it back in If-Match",
                        schema = @Schema(type = SchemaType.STRING)),
                @Header(name = "Location", description = "The new resource's URL",
                        schema = @Schema(type = SchemaType.STRING, format = "uri")),
                @Header(name = "Idempotent-Replayed", description = "true when this is the stored answer to an "
                        + "earlier request with the same Idempotency-Key", schema = @Schema(type = SchemaType.BOOLEAN)),
                @Header(name = ProblemResponses.REQUEST_ID, description = "The request's id (the caller's, if it sent a "
                        + "sane one): quote it to operators, it is in every log line of the request",
                        schema = @Schema(type = SchemaType.STRING)),
                @Header(name = "Tenantgate-Replica", description = "The replica that answered (its lease id): an admin "
                        + "view is that replica's own", schema = @Schema(type = SchemaType.STRING)),
                @Header(name = "Retry-After", description = "Seconds to wait before trying again",
                        schema = @Schema(type = SchemaType.INTEGER))}),
        // The order Swagger UI shows: the tenant APIs first, then what operators use.
        tags = {
                @Tag(name = "Customers", description = "The tenant's customers"),
                @Tag(name = "Reports", description = "Report templates and the tenant's report requests"),
                @Tag(name = "Dashboard", description = "The tenant's dashboard and who the caller is"),
                @Tag(name = "Permissions", description = "What the caller's roles grant in the tenant"),
                @Tag(name = "Tenant admin", description = "Operators: add, change, suspend and remove tenants"),
                @Tag(name = "Pools", description = "Operators: tenant pools, database servers and budgets"),
                @Tag(name = "Migrations", description = "Operators: tenant schema migrations across the fleet"),
                @Tag(name = "Credentials", description = "Operators: the credentials keyring and re-encryption of stored passwords"),
                @Tag(name = "Development", description = "Dev, demo and test only; absent in production")})
public class TenantgateApi extends Application {
}
