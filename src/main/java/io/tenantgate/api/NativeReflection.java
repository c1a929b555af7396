package io.tenantgate.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.tenantgate.customers.Customer;
import io.tenantgate.lifecycle.TenantView;
import io.tenantgate.problem.Problem;
import io.tenantgate.reports.ReportRequest;
import io.tenantgate.reports.ReportStatus;
import io.tenantgate.reports.ReportTemplate;

/**
 * Types Jackson writes that Quarkus cannot see from an endpoint's signature, so a native image
 * would otherwise lack their accessors: bodies inside a {@code Response} (201 Created, ETag
 * answers, problem details) and the customer JSON the idempotency store writes with
 * {@code ObjectMapper}. Types an endpoint returns directly are registered by Quarkus itself.
 */
@RegisterForReflection(targets = {Customer.class, ReportRequest.class, ReportTemplate.class, ReportStatus.class,
        TenantView.class, Problem.class, Problem.FieldError.class})
public final class NativeReflection {

    private NativeReflection() {
    }
}
