package io.tenantgate.platform.openapi;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
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
        // The order Swagger UI shows: the tenant APIs first, then what operators use.
        tags = {
                @Tag(name = "Customers", description = "The tenant's customers"),
                @Tag(name = "Reports", description = "Report templates and the tenant's report requests"),
                @Tag(name = "Dashboard", description = "The tenant's dashboard and who the caller is"),
                @Tag(name = "Permissions", description = "What the caller's roles grant in the tenant"),
                @Tag(name = "Tenant admin", description = "Operators: add, change, suspend and remove tenants"),
                @Tag(name = "Pools", description = "Operators: tenant pools, database servers and budgets"),
                @Tag(name = "Migrations", description = "Operators: tenant schema migrations across the fleet"),
                @Tag(name = "Development", description = "Dev, demo and test only; absent in production")})
public class TenantgateApi extends Application {
}
