package io.tenantgate.tenant.dashboard;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.TenantSql;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.tenant.customers.CustomerSql;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The dashboard in three statements on one connection, whatever the data size: customer counts
 * (one conditional aggregate), the five newest customers, report counts by status (one GROUP BY).
 */
@ApplicationScoped
public class DashboardService {

    private final TenantSql sql;

    public DashboardService(TenantSql sql) {
        this.sql = sql;
    }

    public Uni<Dashboard> of(TenantRoute tenant) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return sql.withConnection(tenant, (c, dialect) -> DashboardSql.customerCounts(c, dialect, now)
                .chain(counts -> CustomerSql.newest(c, dialect, 5)
                        .chain(newest -> DashboardSql.reportsByStatus(c)
                                .map(byStatus -> new Dashboard(counts, newest, byStatus)))));
    }
}
