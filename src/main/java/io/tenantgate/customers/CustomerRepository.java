package io.tenantgate.customers;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.Dialect;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Customer statements on a connection the caller holds through {@code TenantSql}. */
@ApplicationScoped
public class CustomerRepository {

    public Uni<Void> insert(SqlConnection connection, Dialect dialect, Customer c) {
        return connection.preparedQuery(CustomerSql.of(dialect).insert)
                .execute(Tuple.from(Arrays.asList(dialect.id(c.id()), c.name(), c.email(), nullable(c.phone()),
                        dialect.time(c.createdAt()), dialect.time(c.updatedAt()))))
                .replaceWithVoid();
    }

    public Uni<Customer> find(SqlConnection connection, Dialect dialect, UUID id) {
        CustomerSql sql = CustomerSql.of(dialect);
        return connection.preparedQuery(sql.findById).execute(Tuple.of(dialect.id(id))).map(rows -> first(sql, rows));
    }

    /** Number of rows updated: 0 when no such customer. */
    public Uni<Integer> update(SqlConnection connection, Dialect dialect, UUID id, CustomerInput input,
                               OffsetDateTime now, Long expectedVersion) {
        CustomerSql sql = CustomerSql.of(dialect);
        List<Object> args = new ArrayList<>(Arrays.asList(input.name(), input.email(), nullable(input.phone()),
                dialect.time(now), dialect.id(id)));
        if (expectedVersion != null) {
            args.add(expectedVersion);
        }
        return connection.preparedQuery(expectedVersion == null ? sql.update : sql.updateIfVersion)
                .execute(Tuple.from(args)).map(RowSet::rowCount);
    }

    public Uni<Integer> delete(SqlConnection connection, Dialect dialect, UUID id) {
        return connection.preparedQuery(CustomerSql.of(dialect).delete).execute(Tuple.of(dialect.id(id)))
                .map(RowSet::rowCount);
    }

    /** The {@code limit} newest customers, in one statement (for views that combine features). */
    public Uni<List<Customer>> newest(SqlConnection connection, Dialect dialect, int limit) {
        CustomerSql sql = CustomerSql.of(dialect);
        return connection.preparedQuery(sql.page).execute(Tuple.of(limit, 0L)).map(rows -> customers(sql, rows));
    }

    /** A page and the total, in two statements on the same connection. */
    public Uni<CustomerPage> page(SqlConnection connection, Dialect dialect, String query, int page, int size) {
        CustomerSql sql = CustomerSql.of(dialect);
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
                        .map(count -> new CustomerPage(customers(sql, rows), page, size,
                                count.iterator().next().getLong(0))));
    }

    private static List<Customer> customers(CustomerSql sql, RowSet<Row> rows) {
        List<Customer> list = new ArrayList<>(rows.size());
        for (Row row : rows) {
            list.add(sql.customer(row));
        }
        return list;
    }

    private static Customer first(CustomerSql sql, RowSet<Row> rows) {
        return rows.size() == 0 ? null : sql.customer(rows.iterator().next());
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
}
