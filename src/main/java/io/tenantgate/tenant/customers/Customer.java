package io.tenantgate.tenant.customers;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A customer as the API returns it. Ids are random UUIDs: unguessable and unique across tenants.
 * {@code version} grows with every change and is the customer's {@code ETag}.
 *
 * <p>Registered for reflection: Jackson writes it inside a {@code Response} or through the
 * idempotency store's {@code ObjectMapper}, where a native image cannot see it from an endpoint's
 * signature.
 */
@RegisterForReflection
public record Customer(UUID id, String name, String email, String phone, OffsetDateTime createdAt,
                       OffsetDateTime updatedAt, long version) {
}
