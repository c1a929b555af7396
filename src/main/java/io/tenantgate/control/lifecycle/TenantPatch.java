package io.tenantgate.control.lifecycle;

import io.tenantgate.governor.route.TenantStatus;
import io.tenantgate.governor.route.TlsMode;

/**
 * A change to a tenant; {@code null} leaves a field as it is. {@code clearMaxPoolSize} returns the
 * tenant to the configured default pool size. Giving {@code password} or {@code passwordRef}
 * replaces how the password is stored.
 */
public record TenantPatch(String displayName, TenantStatus status, String host, Integer port, String database,
                          String username, String password, String passwordRef, TlsMode tlsMode, Integer maxPoolSize,
                          boolean clearMaxPoolSize) {

    @Override
    public String toString() {
        return "TenantPatch[status=" + status + ", host=" + host + ", port=" + port + ", database=" + database
                + ", password " + (password != null ? "changed" : passwordRef != null ? "by reference" : "kept") + "]";
    }
}
