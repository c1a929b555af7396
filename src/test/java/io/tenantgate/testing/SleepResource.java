package io.tenantgate.testing;

import io.smallrye.mutiny.Uni;
import io.tenantgate.control.security.CurrentTenant;
import io.tenantgate.governor.TenantSql;
import io.tenantgate.governor.route.DatabaseKind;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Test-only: holds one of the caller's tenant connections for {@code ms} milliseconds inside the
 * database, through the same facade as the real APIs. Lives in src/test, so it never ships.
 */
@Path("/test/sleep")
@Tag(name = "Development")
@RolesAllowed("user")
public class SleepResource {

    private final CurrentTenant tenant;
    private final TenantSql sql;

    public SleepResource(CurrentTenant tenant, TenantSql sql) {
        this.tenant = tenant;
        this.sql = sql;
    }

    @GET
    @Operation(summary = "Holds a tenant connection for ms milliseconds (tests only)")
    public Uni<String> sleep(@QueryParam("ms") int ms) {
        double seconds = Math.min(ms, 10_000) / 1000.0;
        // A parameter, not a literal: the slow-statement log must show the placeholder only.
        return tenant.route().chain(route -> sql.withConnection(route, connection -> connection
                .preparedQuery(route.kind() == DatabaseKind.MYSQL ? "SELECT SLEEP(?)" : "SELECT pg_sleep($1)")
                .execute(Tuple.of(seconds))
                .replaceWith("slept")));
    }
}
