package io.tenantgate.control.lifecycle;

import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TlsMode;

/**
 * What is needed to provision a tenant. Exactly one of {@code password} (stored encrypted) and
 * {@code passwordRef} ({@code env:NAME} or {@code config:property}) is given.
 */
public record NewTenant(String key, String displayName, DatabaseKind kind, String host, int port, String database,
                        String username, String password, String passwordRef, TlsMode tlsMode,
                        Integer maxPoolSize) {

    @Override
    public String toString() {
        return "NewTenant[" + key + ", " + kind + "@" + host + ":" + port + "/" + database + "]";
    }
}
