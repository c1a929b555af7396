package io.tenantgate.customers;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A customer as the API returns it. Ids are random UUIDs: unguessable and unique across tenants.
 * {@code version} grows with every change and is the customer's {@code ETag}.
 */
public record Customer(UUID id, String name, String email, String phone, OffsetDateTime createdAt,
                       OffsetDateTime updatedAt, long version) {
}
