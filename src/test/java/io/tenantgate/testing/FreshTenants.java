package io.tenantgate.testing;

import io.quarkus.vertx.VertxContextSupport;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.lifecycle.NewTenant;
import io.tenantgate.lifecycle.TenantProvisioner;
import io.tenantgate.registry.DatabaseKind;
import io.tenantgate.registry.TenantRoute;
import io.tenantgate.registry.TlsMode;

import java.util.UUID;

/** Creates a never-used tenant: a new database and user on a real server, provisioned for real. */
public final class FreshTenants {

    private FreshTenants() {
    }

    public static String key(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static EmbeddedServer server(DatabaseKind kind) {
        return kind == DatabaseKind.MYSQL ? RealDatabases.servers().mariadb() : RealDatabases.servers().postgres();
    }

    public static TenantRoute provision(TenantProvisioner provisioner, DatabaseKind kind, String key,
                                        Integer maxPoolSize) throws Throwable {
        String password = SecretsLedger.record(UUID.randomUUID().toString());
        server(kind).createUser(key, password, 0);
        return provisionAs(provisioner, kind, key, key, password, maxPoolSize);
    }

    /** A fresh tenant whose database belongs to an existing user, e.g. one shared by many tenants. */
    public static TenantRoute provisionAs(TenantProvisioner provisioner, DatabaseKind kind, String key, String user,
                                          String password, Integer maxPoolSize) throws Throwable {
        return provisionAs(provisioner, server(kind), key, user, password, maxPoolSize);
    }

    /** A fresh tenant on a server of the test's own, e.g. one it will crash or freeze. */
    public static TenantRoute provisionOn(TenantProvisioner provisioner, EmbeddedServer server, String key)
            throws Throwable {
        String password = SecretsLedger.record(UUID.randomUUID().toString());
        server.createUser(key, password, 0);
        return provisionAs(provisioner, server, key, key, password, null);
    }

    private static TenantRoute provisionAs(TenantProvisioner provisioner, EmbeddedServer server, String key,
                                           String user, String password, Integer maxPoolSize) throws Throwable {
        DatabaseKind kind = server.kind();
        String database = key.replace('-', '_');
        server.createDatabase(database, user);
        NewTenant tenant = new NewTenant(key, "Tenant " + key, kind, server.host(), server.port(), database, user,
                password, null, TlsMode.DISABLED, maxPoolSize);
        return VertxContextSupport.subscribeAndAwait(() -> provisioner.provision(tenant));
    }
}
