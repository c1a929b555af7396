package io.tenantgate.tenant.permissions;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.Dialect;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The grants lookup, one statement for both database kinds (only the placeholders differ, and the
 * {@link Dialect} spells them), run on the connection {@code TenantSql} lends {@link Permissions}.
 */
final class PermissionSql {

    private PermissionSql() {
    }

    /** The permissions any of {@code roles} grants, sorted and unmodifiable. */
    static Uni<Set<String>> grantedTo(SqlConnection c, Dialect dialect, List<String> roles) {
        String statement = "SELECT DISTINCT permission FROM role_permission WHERE role IN ("
                + dialect.placeholders(1, roles.size()) + ")";
        return c.preparedQuery(statement).execute(Tuple.from(new ArrayList<Object>(roles))).map(rows -> {
            Set<String> permissions = new TreeSet<>();
            for (Row row : rows) {
                permissions.add(row.getString(0));
            }
            return Collections.unmodifiableSet(permissions);
        });
    }
}
