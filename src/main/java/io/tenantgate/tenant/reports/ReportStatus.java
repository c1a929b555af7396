package io.tenantgate.tenant.reports;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Where a report request stands.
 *
 * <p>Registered for reflection: Jackson writes it inside a {@code Response} or through the
 * idempotency store's {@code ObjectMapper}, where a native image cannot see it from an endpoint's
 * signature.
 */
@RegisterForReflection
public enum ReportStatus { REQUESTED, RUNNING, DONE, FAILED, CANCELLED }
