package io.tenantgate.reports;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** A full replacement of a report request's changeable fields (PUT). */
public record ReportChange(@NotBlank @Size(max = 200) String title, @NotNull ReportStatus status) {
}
