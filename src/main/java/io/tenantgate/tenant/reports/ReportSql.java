package io.tenantgate.tenant.reports;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.Dialect;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The reports statements for both database kinds, side by side, and how each is run on the
 * connection {@code TenantSql} lends {@link ReportService}. Ids, times and placeholders are spelled
 * by the {@link Dialect} it hands the work with that connection.
 */
final class ReportSql {

    private ReportSql() {
    }

    private enum Statements {
        POSTGRESQL(
                "SELECT id, name, description FROM report_template ORDER BY name, id",
                "SELECT id, template_id, title, status, version, created_at, updated_at, COUNT(*) OVER () AS total"
                        + " FROM report_request ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2",
                "SELECT id, template_id, title, status, version, created_at, updated_at, COUNT(*) OVER () AS total"
                        + " FROM report_request WHERE status = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
                "SELECT COUNT(*) FROM report_request",
                "SELECT COUNT(*) FROM report_request WHERE status = $1",
                "INSERT INTO report_request (id, template_id, title, status, version, created_at, updated_at)"
                        + " VALUES ($1, $2, $3, $4, 1, $5, $5)",
                "SELECT r.id, r.template_id, r.title, r.status, r.version, r.created_at, r.updated_at, t.name, t.description"
                        + " FROM report_request r JOIN report_template t ON t.id = r.template_id WHERE r.id = $1",
                "UPDATE report_request SET title = $1, status = $2, version = version + 1, updated_at = $3"
                        + " WHERE id = $4 AND version = $5"),
        MYSQL(
                "SELECT id, name, description FROM report_template ORDER BY name, id",
                "SELECT id, template_id, title, status, version, created_at, updated_at, COUNT(*) OVER () AS total"
                        + " FROM report_request ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                "SELECT id, template_id, title, status, version, created_at, updated_at, COUNT(*) OVER () AS total"
                        + " FROM report_request WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                "SELECT COUNT(*) FROM report_request",
                "SELECT COUNT(*) FROM report_request WHERE status = ?",
                "INSERT INTO report_request (id, template_id, title, status, version, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, 1, ?, ?)",
                "SELECT r.id, r.template_id, r.title, r.status, r.version, r.created_at, r.updated_at, t.name, t.description"
                        + " FROM report_request r JOIN report_template t ON t.id = r.template_id WHERE r.id = ?",
                "UPDATE report_request SET title = ?, status = ?, version = version + 1, updated_at = ?"
                        + " WHERE id = ? AND version = ?");

        final String templates;
        final String page;
        final String pageByStatus;
        final String count;
        final String countByStatus;
        final String insert;
        final String findById;
        final String update;

        Statements(String templates, String page, String pageByStatus, String count, String countByStatus, String insert,
                  String findById, String update) {
            this.templates = templates;
            this.page = page;
            this.pageByStatus = pageByStatus;
            this.count = count;
            this.countByStatus = countByStatus;
            this.insert = insert;
            this.findById = findById;
            this.update = update;
        }

        static Statements of(Dialect dialect) {
            return valueOf(dialect.name());
        }
    }

    static Uni<List<ReportTemplate>> templates(SqlConnection c, Dialect dialect) {
        return c.preparedQuery(Statements.of(dialect).templates).execute().map(rows -> {
            List<ReportTemplate> templates = new ArrayList<>();
            rows.forEach(row -> templates.add(template(dialect, row)));
            return templates;
        });
    }

    /**
     * A page of requests with their templates, in two statements whatever the page size (no N+1):
     * the page with its total ({@code COUNT(*) OVER ()}), then the page's templates. An empty page
     * asks for the total alone.
     */
    static Uni<ReportPage> page(SqlConnection c, Dialect dialect, ReportStatus status, int page, int size) {
        Statements sql = Statements.of(dialect);
        List<Object> args = new ArrayList<>();
        if (status != null) {
            args.add(status.name());
        }
        args.add(size);
        args.add((long) page * size);
        return c.preparedQuery(status == null ? sql.page : sql.pageByStatus).execute(Tuple.from(args))
                .chain(rows -> rows.size() == 0
                        ? total(c, sql, status).map(total -> new ReportPage(List.of(), page, size, total))
                        : withTemplates(c, dialect, rows, page, size));
    }

    private static Uni<Long> total(SqlConnection c, Statements sql, ReportStatus status) {
        Uni<RowSet<Row>> count = status == null ? c.preparedQuery(sql.count).execute()
                : c.preparedQuery(sql.countByStatus).execute(Tuple.of(status.name()));
        return count.map(rows -> rows.iterator().next().getLong(0));
    }

    private static Uni<ReportPage> withTemplates(SqlConnection c, Dialect dialect, RowSet<Row> rows, int page,
                                                 int size) {
        List<Row> list = new ArrayList<>();
        rows.forEach(list::add);
        long total = list.getFirst().getLong("total");
        Set<UUID> ids = new LinkedHashSet<>();
        list.forEach(row -> ids.add(dialect.id(row, "template_id")));
        String templatesById = "SELECT id, name, description FROM report_template WHERE id IN ("
                + dialect.placeholders(1, ids.size()) + ")";
        return c.preparedQuery(templatesById).execute(Tuple.from(ids.stream().map(dialect::id).toList()))
                .map(templateRows -> {
                    Map<UUID, ReportTemplate> templates = new HashMap<>();
                    templateRows.forEach(row -> templates.put(dialect.id(row, "id"), template(dialect, row)));
                    List<ReportRequest> items = list.stream()
                            .map(row -> request(dialect, row, templates.get(dialect.id(row, "template_id"))))
                            .toList();
                    return new ReportPage(items, page, size, total);
                });
    }

    static Uni<Void> insert(SqlConnection c, Dialect dialect, UUID id, UUID templateId, String title,
                            OffsetDateTime now) {
        List<Object> args = new ArrayList<>(Arrays.asList(dialect.id(id), dialect.id(templateId), title,
                ReportStatus.REQUESTED.name(), dialect.time(now)));
        if (dialect == Dialect.MYSQL) { // PostgreSQL binds the timestamp once; MySQL once per occurrence
            args.add(dialect.time(now));
        }
        return c.preparedQuery(Statements.of(dialect).insert).execute(Tuple.from(args)).replaceWithVoid();
    }

    /** The request with its template, or null when there is none. */
    static Uni<ReportRequest> find(SqlConnection c, Dialect dialect, UUID id) {
        return c.preparedQuery(Statements.of(dialect).findById).execute(Tuple.of(dialect.id(id))).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            return request(dialect, row, new ReportTemplate(dialect.id(row, "template_id"), row.getString("name"),
                    row.getString("description")));
        });
    }

    /** Number of rows updated: 0 when there is no such request or it is no longer at {@code expectedVersion}. */
    static Uni<Integer> update(SqlConnection c, Dialect dialect, UUID id, ReportChange change, OffsetDateTime now,
                               long expectedVersion) {
        return c.preparedQuery(Statements.of(dialect).update)
                .execute(Tuple.from(Arrays.asList(change.title().strip(), change.status().name(), dialect.time(now),
                        dialect.id(id), expectedVersion)))
                .map(RowSet::rowCount);
    }

    private static ReportTemplate template(Dialect dialect, Row row) {
        return new ReportTemplate(dialect.id(row, "id"), row.getString("name"), row.getString("description"));
    }

    private static ReportRequest request(Dialect dialect, Row row, ReportTemplate template) {
        return new ReportRequest(dialect.id(row, "id"), template, row.getString("title"),
                ReportStatus.valueOf(row.getString("status")), row.getLong("version"), dialect.time(row, "created_at"),
                dialect.time(row, "updated_at"));
    }
}
