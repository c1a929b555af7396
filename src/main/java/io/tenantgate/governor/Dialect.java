package io.tenantgate.governor;

import io.tenantgate.governor.route.DatabaseKind;
import io.vertx.mutiny.sqlclient.Row;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * How a tenant's database kind spells what differs between MySQL and PostgreSQL outside a
 * statement's text: placeholders, ids and times. {@link TenantSql} hands it to the work with the
 * connection, so feature code keeps only its statements, both kinds side by side, and never
 * formats an id or a time for a kind itself.
 *
 * <p>PostgreSQL numbers its placeholders ({@code $1}) and stores UUID and TIMESTAMPTZ; MySQL repeats
 * {@code ?} and stores CHAR(36) and DATETIME(6) in UTC.
 */
public enum Dialect {
    POSTGRESQL,
    MYSQL;

    public static Dialect of(DatabaseKind kind) {
        return switch (kind) {
            case POSTGRESQL -> POSTGRESQL;
            case MYSQL -> MYSQL;
        };
    }

    /** The placeholder of the {@code n}th parameter (from 1). */
    public String placeholder(int n) {
        return this == MYSQL ? "?" : "$" + n;
    }

    /** {@code count} placeholders from the {@code first}th, comma-separated: an {@code IN (...)} list. */
    public String placeholders(int first, int count) {
        return IntStream.range(first, first + count).mapToObj(this::placeholder).collect(Collectors.joining(", "));
    }

    /** How an id is bound: a native UUID for PostgreSQL, its text for MySQL. */
    public Object id(UUID id) {
        return this == POSTGRESQL ? id : id.toString();
    }

    public UUID id(Row row, String column) {
        return this == POSTGRESQL ? row.getUUID(column) : UUID.fromString(row.getString(column));
    }

    /** How a timestamp is bound: with offset for PostgreSQL, as UTC wall time for MySQL. */
    public Object time(OffsetDateTime time) {
        return this == POSTGRESQL ? time : time.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    }

    public OffsetDateTime time(Row row, String column) {
        if (this == POSTGRESQL) {
            return row.getOffsetDateTime(column);
        }
        var local = row.getLocalDateTime(column);
        return local == null ? null : local.atOffset(ZoneOffset.UTC);
    }
}
