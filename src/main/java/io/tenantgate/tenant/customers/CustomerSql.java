package io.tenantgate.tenant.customers;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.Dialect;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The customer table's statements for both database kinds, side by side, and how each is run on
 * the connection {@code TenantSql} lends the service. Ids, times and placeholders are spelled by
 * the {@link Dialect} it hands the work with that connection.
 */
public final class CustomerSql {

    private CustomerSql() {
    }

    private enum Statements {

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

        Statements(String insert, String findById, String update, String updateIfVersion, String delete, String page,
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

        static Statements of(Dialect dialect) {
            return valueOf(dialect.name());
        }

        /** MySQL binds positional parameters once per occurrence, so a repeated pattern is bound twice. */
        int searchPatternBindings() {
            return this == POSTGRESQL ? 1 : 2;
        }
    }

    static Uni<Void> insert(SqlConnection connection, Dialect dialect, Customer c) {
        return connection.preparedQuery(Statements.of(dialect).insert)
                .execute(Tuple.from(Arrays.asList(dialect.id(c.id()), c.name(), c.email(), nullable(c.phone()),
                        dialect.time(c.createdAt()), dialect.time(c.updatedAt()))))
                .replaceWithVoid();
    }

    static Uni<Customer> find(SqlConnection connection, Dialect dialect, UUID id) {
        Statements sql = Statements.of(dialect);
        return connection.preparedQuery(sql.findById).execute(Tuple.of(dialect.id(id))).map(rows -> first(dialect, rows));
    }

    /** Number of rows updated: 0 when no such customer. */
    static Uni<Integer> update(SqlConnection connection, Dialect dialect, UUID id, CustomerInput input,
                               OffsetDateTime now, Long expectedVersion) {
        Statements sql = Statements.of(dialect);
        List<Object> args = new ArrayList<>(Arrays.asList(input.name(), input.email(), nullable(input.phone()),
                dialect.time(now), dialect.id(id)));
        if (expectedVersion != null) {
            args.add(expectedVersion);
        }
        return connection.preparedQuery(expectedVersion == null ? sql.update : sql.updateIfVersion)
                .execute(Tuple.from(args)).map(RowSet::rowCount);
    }

    static Uni<Integer> delete(SqlConnection connection, Dialect dialect, UUID id) {
        return connection.preparedQuery(Statements.of(dialect).delete).execute(Tuple.of(dialect.id(id)))
                .map(RowSet::rowCount);
    }

    /** The {@code limit} newest customers, in one statement (for views that combine features). */
    public static Uni<List<Customer>> newest(SqlConnection connection, Dialect dialect, int limit) {
        Statements sql = Statements.of(dialect);
        return connection.preparedQuery(sql.page).execute(Tuple.of(limit, 0L)).map(rows -> customers(dialect, rows));
    }

    /** A page and the total, in two statements on the same connection. */
    static Uni<CustomerPage> page(SqlConnection connection, Dialect dialect, String query, int page, int size) {
        Statements sql = Statements.of(dialect);
        List<Object> filter = new ArrayList<>();
        String pageSql = sql.page;
        String countSql = sql.count;
        if (query != null && !query.isBlank()) {
            String pattern = "%" + escapeLike(query.strip().toLowerCase(Locale.ROOT)) + "%";
            for (int i = 0; i < sql.searchPatternBindings(); i++) {
                filter.add(pattern);
            }
            pageSql = sql.searchPage;
            countSql = sql.searchCount;
        }
        List<Object> pageArgs = new ArrayList<>(filter);
        pageArgs.add(size);
        pageArgs.add((long) page * size);
        String finalCountSql = countSql;
        return connection.preparedQuery(pageSql).execute(Tuple.from(pageArgs))
                .chain(rows -> connection.preparedQuery(finalCountSql).execute(Tuple.from(filter))
                        .map(count -> new CustomerPage(customers(dialect, rows), page, size,
                                count.iterator().next().getLong(0))));
    }

    private static List<Customer> customers(Dialect dialect, RowSet<Row> rows) {
        List<Customer> list = new ArrayList<>(rows.size());
        for (Row row : rows) {
            list.add(customer(dialect, row));
        }
        return list;
    }

    private static Customer first(Dialect dialect, RowSet<Row> rows) {
        return rows.size() == 0 ? null : customer(dialect, rows.iterator().next());
    }

    /**
     * Escapes LIKE wildcards with {@code !}, declared by every query's {@code ESCAPE '!'}: backslash
     * would depend on MySQL's {@code NO_BACKSLASH_ESCAPES} mode.
     */
    static String escapeLike(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    private static Object nullable(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static Customer customer(Dialect dialect, Row row) {
        return new Customer(dialect.id(row, "id"), row.getString("name"), row.getString("email"), row.getString("phone"),
                dialect.time(row, "created_at"), dialect.time(row, "updated_at"), row.getLong("version"));
    }
}
