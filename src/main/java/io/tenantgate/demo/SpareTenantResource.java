package io.tenantgate.demo;

import io.tenantgate.control.security.DevTokenConfig;
import io.tenantgate.platform.problem.ProblemException;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /dev/spare-tenant}: the body of a {@code POST /admin/tenants} for the demo's spare
 * PostgreSQL database, so the README can add a third tenant at run time. Dev and demo only, like
 * {@code /dev/token} (it hands out a password); 404 everywhere else.
 */
@Path("/dev/spare-tenant")
@PermitAll
@Tag(name = "Development")
public class SpareTenantResource {

    /** The spare database's name, its owner's and the tenant key the walkthrough gives it. */
    public static final String SPARE = "initech";

    private final DevTokenConfig devTokens;
    private final DemoConfig demo;

    public SpareTenantResource(DevTokenConfig devTokens, DemoConfig demo) {
        this.devTokens = devTokens;
        this.demo = demo;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "getSpareTenant", summary = "A spare demo tenant's key, for trying out tenant admin (dev and demo only)")
    public Map<String, Object> spare() {
        if (!devTokens.enabled() || demo.spare().password().isEmpty() || demo.postgresql().port().isEmpty()) {
            throw ProblemException.notFound("not-found", "Not Found");
        }
        Map<String, Object> tenant = new LinkedHashMap<>();
        tenant.put("key", SPARE);
        tenant.put("displayName", "Initech");
        tenant.put("kind", "POSTGRESQL");
        tenant.put("host", demo.postgresql().host());
        tenant.put("port", demo.postgresql().port().get());
        tenant.put("database", SPARE);
        tenant.put("username", SPARE);
        tenant.put("password", demo.spare().password().get());
        tenant.put("tlsMode", "DISABLED");
        return tenant;
    }
}
