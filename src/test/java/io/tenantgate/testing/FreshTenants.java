package io.tenantgate.testing;

import io.quarkus.arc.Arc;
import io.quarkus.vertx.VertxContextSupport;
import io.tenantgate.control.lifecycle.NewTenant;
import io.tenantgate.control.lifecycle.TenantProvisioner;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TlsMode;

import java.util.UUID;

/**
 * The fixture every {@code @QuarkusTest} gets its tenants from: a never-used tenant, with a new
 * database and a new non-privileged user on one of the run's real servers (or a server of the
 * test's own), provisioned for real through the running application's {@link TenantProvisioner}
 * (proved, migrated, stored in the registry). Its token comes from {@link TestTokens#forTenant}
 * or {@link TenantApi#as}; both kinds come from {@link BothKinds}.
 *
 * <p>Each tenant's password is recorded in the {@link SecretsLedger}, so the log checks can prove
 * it never appears. The servers' data, these tenants included, is deleted when the run stops.
 */
public final class FreshTenants {

    private FreshTenants() {
    }

    public static String key(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static EmbeddedServer server(DatabaseKind kind) {
        return kind == DatabaseKind.MYSQL ? RealDatabases.servers().mariadb() : RealDatabases.servers().postgres();
    }

    /** A fresh tenant {@code key} on the run's server of {@code kind}, with the default pool limit. */
    public static TenantRoute provision(DatabaseKind kind, String key) throws Throwable {
        return provision(kind, key, null);
    }

    public static TenantRoute provision(DatabaseKind kind, String key, Integer maxPoolSize) throws Throwable {
        String password = SecretsLedger.record(UUID.randomUUID().toString());
        server(kind).createUser(key, password, 0);
        return provisionAs(kind, key, key, password, maxPoolSize);
    }

    /** A fresh tenant whose database belongs to an existing user, e.g. one shared by many tenants. */
    public static TenantRoute provisionAs(DatabaseKind kind, String key, String user, String password,
                                          Integer maxPoolSize) throws Throwable {
        return provisionAs(server(kind), key, user, password, maxPoolSize);
    }

    /** A fresh tenant on a server of the test's own, e.g. one it will crash or freeze. */
    public static TenantRoute provisionOn(EmbeddedServer server, String key) throws Throwable {
        String password = SecretsLedger.record(UUID.randomUUID().toString());
        server.createUser(key, password, 0);
        return provisionAs(server, key, key, password, null);
    }

    private static TenantRoute provisionAs(EmbeddedServer server, String key, String user, String password,
                                           Integer maxPoolSize) throws Throwable {
        DatabaseKind kind = server.kind();
        String database = key.replace('-', '_');
        server.createDatabase(database, user);
        NewTenant tenant = new NewTenant(key, "Tenant " + key, kind, server.host(), server.port(), database, user,
                password, null, TlsMode.DISABLED, maxPoolSize);
        TenantProvisioner provisioner = Arc.container().instance(TenantProvisioner.class).get();
        return VertxContextSupport.subscribeAndAwait(() -> provisioner.provision(tenant));
    }
}
