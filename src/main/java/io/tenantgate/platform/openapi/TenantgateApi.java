package io.tenantgate.platform.openapi;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The API's description at {@code /q/openapi}: every endpoint, its schemas, and the problem
 * documents it answers with ({@link ProblemResponses}). Clients can be generated from it.
 */
@OpenAPIDefinition(
        info = @Info(title = "tenantgate", version = "0.1.0",
                description = "Tenant APIs served from per-tenant MySQL/MariaDB and PostgreSQL databases, "
                        + "with every connection governed. The tenant is the bearer token's tenant claim. Errors are "
                        + "application/problem+json (RFC 9457) with a stable type urn:tenantgate:problem:<slug>; "
                        + "overload and open breakers are 503 with Retry-After."),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")
public class TenantgateApi extends Application {
}
