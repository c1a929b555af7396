package io.tenantgate.control.migration;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.MigrationConnections;
import io.tenantgate.governor.route.TenantRoute;
import jakarta.enterprise.context.ApplicationScoped;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Brings a tenant database's schema up to the version this build expects, with Flyway.
 *
 * <p>MySQL and PostgreSQL migrations live side by side under {@code db/tenant/<kind>/}, with the
 * same versions. Flyway's JDBC work runs on a worker thread, never an event loop, and its
 * connections come from {@link MigrationConnections}, so they count against the server budget.
 */
@ApplicationScoped
public class TenantMigrator {

    /** Flyway's history table in each tenant database; named so it is not mistaken for app data. */
    public static final String HISTORY_TABLE = "tenantgate_schema_history";

    private static final Logger LOG = Logger.getLogger(TenantMigrator.class);

    private final MigrationConnections connections;

    public TenantMigrator(MigrationConnections connections) {
        this.connections = connections;
    }

    /** Migrates the tenant's database; the result is emitted back on the caller's Vert.x context. */
    public Uni<Integer> migrate(TenantRoute route) {
        return VertxContextSupport.executeBlocking(() -> migrateBlocking(route));
    }

    private int migrateBlocking(TenantRoute route) {
        String location = TenantMigrations.location(route.kind());
        MigrateResult result;
        try (MigrationConnections.MigrationDataSource dataSource = connections.dataSource(route)) {
            result = Flyway.configure(TenantMigrator.class.getClassLoader())
                    .dataSource(dataSource.get())
                    // Both providers, or Flyway builds a class-path Scanner, which a native image
                    // replaces with one that throws: tenant migrations are SQL files only.
                    .resourceProvider(new TenantMigrations(route.kind()))
                    .javaMigrationClassProvider(List::of)
                    .locations("classpath:" + location)
                    .table(HISTORY_TABLE)
                    .cleanDisabled(true)
                    .validateMigrationNaming(true)
                    .load()
                    .migrate();
        }
        LOG.infof("tenant %s schema at version %s (%d migrations applied)", route.key(),
                result.targetSchemaVersion, result.migrationsExecuted);
        return result.migrationsExecuted;
    }
}
