package io.tenantgate.tenant.reports;

import io.tenantgate.platform.problem.Inputs;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** A full replacement of a report request's changeable fields (PUT). */
public record ReportChange(
        @NotBlank @Size(max = 200) @Pattern(regexp = Inputs.SINGLE_LINE, message = Inputs.SINGLE_LINE_MESSAGE) String title,
        @NotNull ReportStatus status) {
}
