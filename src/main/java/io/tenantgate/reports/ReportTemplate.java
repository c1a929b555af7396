package io.tenantgate.reports;

import java.util.UUID;

/** A kind of report a tenant can request. */
public record ReportTemplate(UUID id, String name, String description) {
}
