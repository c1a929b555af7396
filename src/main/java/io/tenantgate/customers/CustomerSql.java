package io.tenantgate.customers;

import io.tenantgate.registry.DatabaseKind;
import io.vertx.mutiny.sqlclient.Row;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The customer table's SQL for both database kinds, side by side. PostgreSQL numbers its
 * placeholders ({@code $1}); MySQL repeats {@code ?}. PostgreSQL stores UUID and TIMESTAMPTZ;
 * MySQL stores CHAR(36) and DATETIME(6) in UTC.
 */
enum CustomerSql {

    POSTGRESQL(
            "INSERT INTO customer (id, name, email, phone, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            "SELECT id, name, email, phone, created_at, updated_at, version FROM customer WHERE id = $1",
            "UPDATE customer SET name = $1, email = $2, phone = $3, updated_at = $4, version = version + 1 WHERE id = $5",
            "DELETE FROM customer WHERE id = $1",
            "SELECT id, name, email, phone, created_at, updated_at, version FROM customer"
                    + " ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2",
            "SELECT COUNT(*) FROM customer",
            "SELECT id, name, email, phone, created_at, updated_at, version FROM customer"
                    + " WHERE LOWER(name) LIKE $1 ESCAPE '!' OR email LIKE $1 ESCAPE '!' ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
            "SELECT COUNT(*) FROM customer WHERE LOWER(name) LIKE $1 ESCAPE '!' OR email LIKE $1 ESCAPE '!'"),

    MYSQL(
            "INSERT INTO customer (id, name, email, phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            "SELECT id, name, email, phone, created_at, updated_at, version FROM customer WHERE id = ?",
            "UPDATE customer SET name = ?, email = ?, phone = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            "DELETE FROM customer WHERE id = ?",
            "SELECT id, name, email, phone, created_at, updated_at, version FROM customer"
                    + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            "SELECT COUNT(*) FROM customer",
            "SELECT id, name, email, phone, created_at, updated_at, version FROM customer"
                    + " WHERE LOWER(name) LIKE ? ESCAPE '!' OR email LIKE ? ESCAPE '!' ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            "SELECT COUNT(*) FROM customer WHERE LOWER(name) LIKE ? ESCAPE '!' OR email LIKE ? ESCAPE '!'");

    final String insert;
    final String findById;
    final String update;
    final String delete;
    final String page;
    final String count;
    final String searchPage;
    final String searchCount;

    CustomerSql(String insert, String findById, String update, String delete, String page, String count,
                String searchPage, String searchCount) {
        this.insert = insert;
        this.findById = findById;
        this.update = update;
        this.delete = delete;
        this.page = page;
        this.count = count;
        this.searchPage = searchPage;
        this.searchCount = searchCount;
    }

    static CustomerSql of(DatabaseKind kind) {
        return switch (kind) {
            case POSTGRESQL -> POSTGRESQL;
            case MYSQL -> MYSQL;
        };
    }

    /** How an id is bound: a native UUID for PostgreSQL, its text for MySQL. */
    Object id(UUID id) {
        return this == POSTGRESQL ? id : id.toString();
    }

    /** How a timestamp is bound: with offset for PostgreSQL, as UTC wall time for MySQL. */
    Object time(OffsetDateTime time) {
        return this == POSTGRESQL ? time : time.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    }

    /** MySQL binds positional parameters once per occurrence, so a repeated pattern is bound twice. */
    int searchPatternBindings() {
        return this == POSTGRESQL ? 1 : 2;
    }

    Customer customer(Row row) {
        return this == POSTGRESQL
                ? new Customer(row.getUUID("id"), row.getString("name"), row.getString("email"), row.getString("phone"),
                        row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"), row.getLong("version"))
                : new Customer(UUID.fromString(row.getString("id")), row.getString("name"), row.getString("email"),
                        row.getString("phone"), row.getLocalDateTime("created_at").atOffset(ZoneOffset.UTC),
                        row.getLocalDateTime("updated_at").atOffset(ZoneOffset.UTC), row.getLong("version"));
    }
}
