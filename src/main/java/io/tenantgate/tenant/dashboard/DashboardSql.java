package io.tenantgate.tenant.dashboard;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.Dialect;
import io.tenantgate.tenant.reports.ReportStatus;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's own statements for both database kinds, side by side (only the placeholders
 * differ), and how each is run on the connection {@code TenantSql} lends the service. The newest
 * customers come from {@code CustomerSql}.
 */
final class DashboardSql {

    private static final String COUNTS_PG = "SELECT COUNT(*) AS total,"
            + " COALESCE(SUM(CASE WHEN created_at >= $1 THEN 1 ELSE 0 END), 0) AS last7,"
            + " COALESCE(SUM(CASE WHEN created_at >= $2 THEN 1 ELSE 0 END), 0) AS last30 FROM customer";
    private static final String COUNTS_MYSQL = "SELECT COUNT(*) AS total,"
            + " COALESCE(SUM(CASE WHEN created_at >= ? THEN 1 ELSE 0 END), 0) AS last7,"
            + " COALESCE(SUM(CASE WHEN created_at >= ? THEN 1 ELSE 0 END), 0) AS last30 FROM customer";
    private static final String REPORTS_BY_STATUS = "SELECT status, COUNT(*) AS n FROM report_request GROUP BY status";

    private DashboardSql() {
    }

    /** All customers and those created in the last 7 and 30 days, in one conditional aggregate. */
    static Uni<Dashboard.CustomerCounts> customerCounts(SqlConnection c, Dialect dialect, OffsetDateTime now) {
        return c.preparedQuery(dialect == Dialect.MYSQL ? COUNTS_MYSQL : COUNTS_PG)
                .execute(Tuple.of(dialect.time(now.minusDays(7)), dialect.time(now.minusDays(30))))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Dashboard.CustomerCounts(number(row, "total"), number(row, "last7"), number(row, "last30"));
                });
    }

    /** Report requests per status, every status listed (0 when none), in one GROUP BY. */
    static Uni<Map<String, Long>> reportsByStatus(SqlConnection c) {
        return c.preparedQuery(REPORTS_BY_STATUS).execute().map(rows -> {
            Map<String, Long> byStatus = new LinkedHashMap<>();
            for (ReportStatus status : ReportStatus.values()) {
                byStatus.put(status.name(), 0L);
            }
            rows.forEach(r -> byStatus.put(r.getString("status"), number(r, "n")));
            return byStatus;
        });
    }

    /** SUM and COUNT come back as different numeric types on each kind. */
    private static long number(Row row, String column) {
        Object value = row.getValue(column);
        return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
    }
}
