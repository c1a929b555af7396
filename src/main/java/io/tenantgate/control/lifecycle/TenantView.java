package io.tenantgate.control.lifecycle;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.tenantgate.control.registry.Tenant;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantStatus;
import io.tenantgate.governor.route.TlsMode;

import java.time.OffsetDateTime;

/**
 * A tenant as the admin API shows it. Never the password: only where it lives ({@code inline},
 * stored encrypted, or the name of the reference it is resolved from).
 *
 * <p>Registered for reflection: Jackson writes it inside a {@code Response} or through the
 * idempotency store's {@code ObjectMapper}, where a native image cannot see it from an endpoint's
 * signature.
 */
@RegisterForReflection
public record TenantView(String key, String displayName, TenantStatus status, DatabaseKind kind, String host,
                         int port, String database, String username, String passwordStorage, String passwordRef,
                         TlsMode tlsMode, Integer maxPoolSize, long version, OffsetDateTime createdAt,
                         OffsetDateTime updatedAt) {

    static TenantView of(Tenant t) {
        return new TenantView(t.key, t.displayName, t.status, t.kind, t.host, t.port, t.databaseName, t.username,
                t.passwordEncrypted != null ? "inline" : "reference", t.passwordRef, t.tlsMode, t.maxPoolSize,
                t.version, t.createdAt, t.updatedAt);
    }
}
