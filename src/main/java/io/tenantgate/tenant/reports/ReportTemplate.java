package io.tenantgate.tenant.reports;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.UUID;

/**
 * A kind of report a tenant can request.
 *
 * <p>Registered for reflection: Jackson writes it inside a {@code Response} or through the
 * idempotency store's {@code ObjectMapper}, where a native image cannot see it from an endpoint's
 * signature.
 */
@RegisterForReflection
public record ReportTemplate(UUID id, String name, String description) {
}
