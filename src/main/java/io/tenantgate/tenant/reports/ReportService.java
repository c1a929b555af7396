package io.tenantgate.tenant.reports;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.TenantSql;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.platform.failure.DatabaseFailures;
import io.tenantgate.platform.failure.Idempotence;
import io.tenantgate.platform.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * Report templates and requests of a tenant, the same for both kinds.
 *
 * <p>A page of requests costs exactly two statements whatever its size: the page (with its total,
 * by a window count), then the templates of that page in one {@code IN} list; or, for an empty
 * page, the total alone. Never one statement per row. Updates are optimistic: they name the
 * version they change, and a stale one is refused (412) without changing anything.
 */
@ApplicationScoped
public class ReportService {

    private final TenantSql sql;

    public ReportService(TenantSql sql) {
        this.sql = sql;
    }

    public Uni<List<ReportTemplate>> templates(TenantRoute tenant) {
        return sql.withConnection(tenant, (c, dialect) -> ReportSql.templates(c, dialect));
    }

    public Uni<ReportPage> page(TenantRoute tenant, ReportStatus status, int page, int size) {
        return sql.withConnection(tenant, (c, dialect) -> ReportSql.page(c, dialect, status, page, size));
    }

    public Uni<ReportRequest> create(TenantRoute tenant, ReportInput input) {
        UUID templateId = ReportIds.parse(input.templateId(), "templateId");
        UUID id = UUID.randomUUID();
        String title = input.title().strip();
        OffsetDateTime now = now();
        // Not repeated once it may have reached the database: a repeat would file a second request.
        return sql.withTransaction(tenant, Idempotence.ONCE, (c, dialect) -> ReportSql.insert(c, dialect, id, templateId,
                                title, now)
                        .chain(() -> ReportSql.find(c, dialect, id)))
                .onFailure(DatabaseFailures::isForeignKeyViolation).transform(e -> new ProblemException(422,
                        "unknown-template", "Unprocessable request", "no report template " + templateId));
    }

    public Uni<ReportRequest> get(TenantRoute tenant, UUID id) {
        return sql.withConnection(tenant, (c, dialect) -> ReportSql.find(c, dialect, id)).map(found -> orNotFound(found, id));
    }

    /**
     * Replaces title and status if the request is still at {@code expectedVersion}: 412 if someone
     * changed it since (nothing is changed), 404 if there is no such request.
     */
    public Uni<ReportRequest> update(TenantRoute tenant, UUID id, ReportChange change, long expectedVersion) {
        return sql.withTransaction(tenant, Idempotence.ONCE, (c, dialect) -> ReportSql.update(c, dialect, id, change, now(),
                                expectedVersion)
                        .chain(updated -> ReportSql.find(c, dialect, id).map(found -> {
                            if (found == null) {
                                throw notFound(id);
                            }
                            if (updated == 0) {
                                throw ReportIds.stale(found.version());
                            }
                            return found;
                        })));
    }

    private static ReportRequest orNotFound(ReportRequest found, UUID id) {
        if (found == null) {
            throw notFound(id);
        }
        return found;
    }

    private static ProblemException notFound(UUID id) {
        return ProblemException.notFound("report-not-found", "no report request " + id);
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
