package io.tenantgate.customers;

import io.tenantgate.governor.Dialect;
import io.vertx.mutiny.sqlclient.Row;


/**
 * The customer table's SQL for both database kinds, side by side; ids, times and placeholders are
 * spelled by the {@link Dialect} that {@code TenantSql} hands the work.
 */
enum CustomerSql {

    POSTGRESQL(
            "INSERT INTO customer (id, name, email, phone, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            "SELECT id, name, email, phone, created_at, updated_at, version FROM customer WHERE id = $1",
            "UPDATE customer SET name = $1, email = $2, phone = $3, updated_at = $4, version = version + 1 WHERE id = $5",
            "UPDATE customer SET name = $1, email = $2, phone = $3, updated_at = $4, version = version + 1 WHERE id = $5"
                    + " AND version = $6",
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
            "UPDATE customer SET name = ?, email = ?, phone = ?, updated_at = ?, version = version + 1 WHERE id = ?"
                    + " AND version = ?",
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
    /** The update only if the row is still at the version the caller read ({@code If-Match}). */
    final String updateIfVersion;
    final String delete;
    final String page;
    final String count;
    final String searchPage;
    final String searchCount;

    CustomerSql(String insert, String findById, String update, String updateIfVersion, String delete, String page,
                String count, String searchPage, String searchCount) {
        this.insert = insert;
        this.findById = findById;
        this.update = update;
        this.updateIfVersion = updateIfVersion;
        this.delete = delete;
        this.page = page;
        this.count = count;
        this.searchPage = searchPage;
        this.searchCount = searchCount;
    }

    static CustomerSql of(Dialect dialect) {
        return valueOf(dialect.name());
    }

    Dialect dialect() {
        return Dialect.valueOf(name());
    }

    /** MySQL binds positional parameters once per occurrence, so a repeated pattern is bound twice. */
    int searchPatternBindings() {
        return this == POSTGRESQL ? 1 : 2;
    }

    Customer customer(Row row) {
        Dialect dialect = dialect();
        return new Customer(dialect.id(row, "id"), row.getString("name"), row.getString("email"), row.getString("phone"),
                dialect.time(row, "created_at"), dialect.time(row, "updated_at"), row.getLong("version"));
    }
}
