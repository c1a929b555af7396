package io.tenantgate.tenant.reports;

import io.tenantgate.platform.problem.Inputs;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** A new report request: which template, and a title to find it by. */
public record ReportInput(@NotBlank @Size(max = 36) String templateId,
                          @NotBlank @Size(max = 200) @Pattern(regexp = Inputs.SINGLE_LINE, message = Inputs.SINGLE_LINE_MESSAGE)
                          String title) {
}
