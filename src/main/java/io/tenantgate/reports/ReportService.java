package io.tenantgate.reports;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.Dialect;
import io.tenantgate.governor.TenantSql;
import io.tenantgate.problem.ProblemException;
import io.tenantgate.registry.TenantRoute;
import io.tenantgate.failure.Idempotence;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

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
        ReportSql dialect = ReportSql.of(Dialect.of(tenant.kind()));
        return sql.withConnection(tenant, c -> c.preparedQuery(dialect.templates).execute()).map(rows -> {
            List<ReportTemplate> templates = new ArrayList<>();
            rows.forEach(row -> templates.add(dialect.template(row)));
            return templates;
        });
    }

    public Uni<ReportPage> page(TenantRoute tenant, ReportStatus status, int page, int size) {
        ReportSql dialect = ReportSql.of(Dialect.of(tenant.kind()));
        List<Object> args = new ArrayList<>();
        if (status != null) {
            args.add(status.name());
        }
        args.add(size);
        args.add((long) page * size);
        return sql.withConnection(tenant, c -> c.preparedQuery(status == null ? dialect.page : dialect.pageByStatus)
                .execute(Tuple.from(args))
                .chain(rows -> rows.size() == 0
                        ? total(c, dialect, status).map(total -> new ReportPage(List.of(), page, size, total))
                        : withTemplates(c, dialect, rows, page, size)));
    }

    private static Uni<Long> total(SqlConnection c, ReportSql dialect, ReportStatus status) {
        Uni<RowSet<Row>> count = status == null ? c.preparedQuery(dialect.count).execute()
                : c.preparedQuery(dialect.countByStatus).execute(Tuple.of(status.name()));
        return count.map(rows -> rows.iterator().next().getLong(0));
    }

    private static Uni<ReportPage> withTemplates(SqlConnection c, ReportSql dialect, RowSet<Row> rows, int page,
                                                 int size) {
        List<Row> list = new ArrayList<>();
        rows.forEach(list::add);
        long total = list.getFirst().getLong("total");
        Set<UUID> ids = new LinkedHashSet<>();
        list.forEach(row -> ids.add(dialect.uuid(row, "template_id")));
        return c.preparedQuery(dialect.templatesById(ids.size()))
                .execute(Tuple.from(ids.stream().map(dialect::id).collect(Collectors.toList())))
                .map(templateRows -> {
                    Map<UUID, ReportTemplate> templates = new java.util.HashMap<>();
                    templateRows.forEach(row -> templates.put(dialect.uuid(row, "id"), dialect.template(row)));
                    List<ReportRequest> items = list.stream()
                            .map(row -> request(dialect, row, templates.get(dialect.uuid(row, "template_id"))))
                            .toList();
                    return new ReportPage(items, page, size, total);
                });
    }

    public Uni<ReportRequest> create(TenantRoute tenant, ReportInput input) {
        ReportSql dialect = ReportSql.of(Dialect.of(tenant.kind()));
        UUID templateId = ReportIds.parse(input.templateId(), "templateId");
        UUID id = UUID.randomUUID();
        OffsetDateTime now = now();
        List<Object> args = new ArrayList<>(Arrays.asList(dialect.id(id), dialect.id(templateId), input.title().strip(),
                ReportStatus.REQUESTED.name(), dialect.time(now)));
        if (dialect.bindsTimeTwice()) {
            args.add(dialect.time(now));
        }
        // Not repeated once it may have reached the database: a repeat would file a second request.
        return sql.withTransaction(tenant, Idempotence.ONCE, c -> c.preparedQuery(dialect.insert).execute(Tuple.from(args))
                        .chain(() -> find(c, dialect, id)))
                .onFailure(ReportService::isForeignKeyViolation).transform(e -> new ProblemException(422,
                        "unknown-template", "Unprocessable request", "no report template " + templateId));
    }

    public Uni<ReportRequest> get(TenantRoute tenant, UUID id) {
        ReportSql dialect = ReportSql.of(Dialect.of(tenant.kind()));
        return sql.withConnection(tenant, c -> find(c, dialect, id)).map(found -> orNotFound(found, id));
    }

    /**
     * Replaces title and status if the request is still at {@code expectedVersion}: 412 if someone
     * changed it since (nothing is changed), 404 if there is no such request.
     */
    public Uni<ReportRequest> update(TenantRoute tenant, UUID id, ReportChange change, long expectedVersion) {
        ReportSql dialect = ReportSql.of(Dialect.of(tenant.kind()));
        return sql.withTransaction(tenant, Idempotence.ONCE, c -> c.preparedQuery(dialect.update)
                        .execute(Tuple.from(Arrays.asList(change.title().strip(), change.status().name(),
                                dialect.time(now()), dialect.id(id), expectedVersion)))
                        .chain(updated -> find(c, dialect, id).map(found -> {
                            if (found == null) {
                                throw notFound(id);
                            }
                            if (updated.rowCount() == 0) {
                                throw ReportIds.stale(found.version());
                            }
                            return found;
                        })));
    }

    private static Uni<ReportRequest> find(SqlConnection c, ReportSql dialect, UUID id) {
        return c.preparedQuery(dialect.findById).execute(Tuple.of(dialect.id(id))).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            return request(dialect, row, new ReportTemplate(dialect.uuid(row, "template_id"), row.getString("name"),
                    row.getString("description")));
        });
    }

    private static ReportRequest request(ReportSql dialect, Row row, ReportTemplate template) {
        return new ReportRequest(dialect.uuid(row, "id"), template, row.getString("title"),
                ReportStatus.valueOf(row.getString("status")), row.getLong("version"), dialect.time(row, "created_at"),
                dialect.time(row, "updated_at"));
    }

    private static boolean isForeignKeyViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.vertx.pgclient.PgException pg && "23503".equals(pg.getSqlState())
                    || t instanceof io.vertx.mysqlclient.MySQLException my && my.getErrorCode() == 1452) {
                return true;
            }
        }
        return false;
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
