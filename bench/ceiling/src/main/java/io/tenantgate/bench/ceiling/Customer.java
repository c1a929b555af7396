package io.tenantgate.bench.ceiling;

import io.vertx.mutiny.sqlclient.Row;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/** The same JSON as tenantgate's customer, so both answers cost the same to write. */
public record Customer(UUID id, String name, String email, String phone, OffsetDateTime createdAt,
                       OffsetDateTime updatedAt, long version) {

    /** As tenantgate's CustomerSql reads it: MySQL keeps ids as CHAR(36) and times without zone. */
    static Customer of(Row row, boolean postgres) {
        return postgres
                ? new Customer(row.getUUID("id"), row.getString("name"), row.getString("email"),
                        row.getString("phone"), row.getOffsetDateTime("created_at"),
                        row.getOffsetDateTime("updated_at"), row.getLong("version"))
                : new Customer(UUID.fromString(row.getString("id")), row.getString("name"), row.getString("email"),
                        row.getString("phone"), row.getLocalDateTime("created_at").atOffset(ZoneOffset.UTC),
                        row.getLocalDateTime("updated_at").atOffset(ZoneOffset.UTC), row.getLong("version"));
    }

    /** Both kinds, side by side, exactly as tenantgate's CustomerSql has them. */
    static String select(boolean postgres) {
        return "SELECT id, name, email, phone, created_at, updated_at, version FROM customer WHERE id = "
                + (postgres ? "$1" : "?");
    }
}
