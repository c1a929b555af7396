package io.tenantgate.tenant.reports;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A tenant's request for a report, with its template embedded. {@code version} is its ETag.
 *
 * <p>Registered for reflection: Jackson writes it inside a {@code Response} or through the
 * idempotency store's {@code ObjectMapper}, where a native image cannot see it from an endpoint's
 * signature.
 */
@RegisterForReflection
public record ReportRequest(UUID id, ReportTemplate template, String title, ReportStatus status, long version,
                            OffsetDateTime createdAt, OffsetDateTime updatedAt) {
}
