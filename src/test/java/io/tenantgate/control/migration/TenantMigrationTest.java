package io.tenantgate.control.migration;

import io.quarkus.test.junit.QuarkusTest;
import io.tenantgate.governor.MigrationConnections;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import jakarta.inject.Inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Provisioning migrates the tenant's own database, and the JDBC connections Flyway uses are
 * counted against the tenant's server while open and all given back afterwards.
 */
@QuarkusTest
class TenantMigrationTest {

    @Inject
    MigrationConnections migrations;

    @BothKinds
    void provisioningMigratesTheTenantDatabaseThroughCountedConnectionsThatAreAllReturned(DatabaseKind kind)
            throws Throwable {
        var server = FreshTenants.server(kind);
        String serverKey = server.host() + ":" + server.port();
        int openedBefore = migrations.openedOn(serverKey);
        String key = FreshTenants.key("migr");
        FreshTenants.provision(kind, key);

        assertTrue(migrations.openedOn(serverKey) > openedBefore, "migration connections are counted");
        assertEquals(0, migrations.openOn(serverKey), "every migration connection is closed afterwards");
        String database = key.replace('-', '_');
        assertEquals(TenantMigrations.names().size(), server.queryLong(database,
                "SELECT COUNT(*) FROM " + TenantMigrator.HISTORY_TABLE + " WHERE success"));
        assertEquals(0, server.queryLong(database, "SELECT COUNT(*) FROM customer"), "customer table exists, empty");
    }
}
