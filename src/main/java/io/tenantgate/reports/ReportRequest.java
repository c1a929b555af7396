package io.tenantgate.reports;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A tenant's request for a report, with its template embedded. {@code version} is its ETag. */
public record ReportRequest(UUID id, ReportTemplate template, String title, ReportStatus status, long version,
                            OffsetDateTime createdAt, OffsetDateTime updatedAt) {
}
