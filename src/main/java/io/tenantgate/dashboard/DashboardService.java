package io.tenantgate.dashboard;

import io.smallrye.mutiny.Uni;
import io.tenantgate.customers.CustomerRepository;
import io.tenantgate.governor.Dialect;
import io.tenantgate.governor.TenantSql;
import io.tenantgate.registry.TenantRoute;
import io.tenantgate.reports.ReportStatus;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard in three statements on one connection, whatever the data size: customer counts
 * (one conditional aggregate), the five newest customers, report counts by status (one GROUP BY).
 */
@ApplicationScoped
public class DashboardService {

    /** The counts, both kinds side by side: only the placeholders differ. */
    private static final String COUNTS_PG = "SELECT COUNT(*) AS total,"
            + " COALESCE(SUM(CASE WHEN created_at >= $1 THEN 1 ELSE 0 END), 0) AS last7,"
            + " COALESCE(SUM(CASE WHEN created_at >= $2 THEN 1 ELSE 0 END), 0) AS last30 FROM customer";
    private static final String COUNTS_MYSQL = "SELECT COUNT(*) AS total,"
            + " COALESCE(SUM(CASE WHEN created_at >= ? THEN 1 ELSE 0 END), 0) AS last7,"
            + " COALESCE(SUM(CASE WHEN created_at >= ? THEN 1 ELSE 0 END), 0) AS last30 FROM customer";
    private static final String REPORTS_BY_STATUS = "SELECT status, COUNT(*) AS n FROM report_request GROUP BY status";

    private final TenantSql sql;
    private final CustomerRepository customers;

    public DashboardService(TenantSql sql, CustomerRepository customers) {
        this.sql = sql;
        this.customers = customers;
    }

    public Uni<Dashboard> of(TenantRoute tenant) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return sql.withConnection(tenant, (c, dialect) -> c.preparedQuery(dialect == Dialect.MYSQL ? COUNTS_MYSQL : COUNTS_PG)
                .execute(Tuple.of(dialect.time(now.minusDays(7)), dialect.time(now.minusDays(30))))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Dashboard.CustomerCounts(number(row, "total"), number(row, "last7"), number(row, "last30"));
                })
                .chain(counts -> customers.newest(c, dialect, 5)
                        .chain(newest -> c.preparedQuery(REPORTS_BY_STATUS).execute().map(rows -> {
                            Map<String, Long> byStatus = new LinkedHashMap<>();
                            for (ReportStatus status : ReportStatus.values()) {
                                byStatus.put(status.name(), 0L);
                            }
                            rows.forEach(r -> byStatus.put(r.getString("status"), number(r, "n")));
                            return new Dashboard(counts, newest, byStatus);
                        }))));
    }

    /** SUM and COUNT come back as different numeric types on each kind. */
    private static long number(Row row, String column) {
        Object value = row.getValue(column);
        return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
    }
}
