package io.tenantgate.tenant.reports;

import java.util.List;

/** One page of report requests, newest first, each with its template. */
public record ReportPage(List<ReportRequest> items, int page, int size, long total) {
}
