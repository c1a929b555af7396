package io.tenantgate.control.lifecycle;

import io.tenantgate.control.registry.TenantKey;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TlsMode;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What is needed to provision a tenant. Exactly one of {@code password} (stored encrypted) and
 * {@code passwordRef} ({@code env:NAME}, {@code config:property} or {@code file:<key>}) is given.
 */
public record NewTenant(@Schema(required = true, pattern = TenantKey.REGEX) String key,
                        @Schema(required = true, maxLength = 200) String displayName,
                        @Schema(required = true) DatabaseKind kind,
                        @Schema(required = true, maxLength = 255) String host,
                        @Schema(required = true, minimum = "1", maximum = "65535") int port,
                        @Schema(required = true, pattern = "^[A-Za-z0-9_\\-]{1,64}$") String database,
                        @Schema(required = true, maxLength = 64) String username,
                        @Schema(description = "Stored encrypted, never returned; give this or passwordRef") String password,
                        @Schema(description = "`env:NAME`, `config:property` or `file:KEY` (a secret file: follows rotation), naming the tenant's own secret; "
                                + "give this or password") String passwordRef,
                        @Schema(description = "Default VERIFY_FULL") TlsMode tlsMode,
                        @Schema(minimum = "1", maximum = "1000", description = "Default: the configured pool size")
                        Integer maxPoolSize) {

    @Override
    public String toString() {
        return "NewTenant[" + key + ", " + kind + "@" + host + ":" + port + "/" + database + "]";
    }
}
