package io.tenantgate.reports;

import io.tenantgate.governor.Dialect;
import io.vertx.mutiny.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.UUID;

/** The reports statements, for both kinds side by side; ids and times as the {@link Dialect} spells them. */
enum ReportSql {
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

    ReportSql(String templates, String page, String pageByStatus, String count, String countByStatus, String insert,
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

    static ReportSql of(Dialect dialect) {
        return valueOf(dialect.name());
    }

    /** The templates of one page, in one statement whatever the page size (no N+1). */
    String templatesById(int ids) {
        return "SELECT id, name, description FROM report_template WHERE id IN (" + dialect().placeholders(1, ids) + ")";
    }

    /** PostgreSQL binds the insert's timestamp once; MySQL once per occurrence. */
    boolean bindsTimeTwice() {
        return this == MYSQL;
    }

    Dialect dialect() {
        return Dialect.valueOf(name());
    }

    Object id(UUID id) {
        return dialect().id(id);
    }

    UUID uuid(Row row, String column) {
        return dialect().id(row, column);
    }

    Object time(OffsetDateTime time) {
        return dialect().time(time);
    }

    OffsetDateTime time(Row row, String column) {
        return dialect().time(row, column);
    }

    ReportTemplate template(Row row) {
        return new ReportTemplate(uuid(row, "id"), row.getString("name"), row.getString("description"));
    }
}
