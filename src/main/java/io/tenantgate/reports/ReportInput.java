package io.tenantgate.reports;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** A new report request: which template, and a title to find it by. */
public record ReportInput(@NotBlank String templateId, @NotBlank @Size(max = 200) String title) {
}
