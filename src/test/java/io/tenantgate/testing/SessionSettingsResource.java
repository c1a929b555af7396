package io.tenantgate.testing;

import io.smallrye.mutiny.Uni;
import io.tenantgate.control.security.CurrentTenant;
import io.tenantgate.governor.TenantSql;
import io.tenantgate.governor.route.DatabaseKind;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test-only: the server-side session settings of one of the caller's tenant connections, read
 * back from the server by that connection itself (PostgreSQL {@code pg_settings}, in milliseconds;
 * MariaDB and MySQL session variables). Lives in src/test, so it never ships.
 */
@Path("/test/session-settings")
@Tag(name = "Development")
@RolesAllowed("user")
public class SessionSettingsResource {

    private final CurrentTenant tenant;
    private final TenantSql sql;

    public SessionSettingsResource(CurrentTenant tenant, TenantSql sql) {
        this.tenant = tenant;
        this.sql = sql;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The session settings of one tenant connection (tests only)")
    public Uni<Map<String, String>> settings() {
        return tenant.route().chain(route -> sql.withConnection(route, connection -> connection
                .query(route.kind() == DatabaseKind.MYSQL
                        ? "SELECT 'max_statement_time', CAST(@@SESSION.max_statement_time AS CHAR)"
                        + " UNION ALL SELECT 'wait_timeout', CAST(@@SESSION.wait_timeout AS CHAR)"
                        : "SELECT name, setting FROM pg_settings WHERE name IN ('statement_timeout',"
                        + " 'idle_session_timeout', 'idle_in_transaction_session_timeout')")
                .execute()
                .map(rows -> {
                    Map<String, String> settings = new LinkedHashMap<>();
                    for (Row row : rows) {
                        settings.put(row.getString(0), row.getString(1));
                    }
                    return settings;
                })));
    }
}
