package io.tenantgate.control.migration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How the fleet upgrade brings existing tenants to this build's schema. */
@ConfigMapping(prefix = "tenantgate.migration")
public interface MigrationConfig {

    /** Start upgrading every tenant whose schema is behind as soon as the service is up. */
    @WithDefault("true")
    boolean upgradeAtStart();

    /** Tenants migrated at once, in total. */
    @WithDefault("4")
    int concurrency();

    /**
     * Tenants migrated at once on one database server. Migration connections take permits of the
     * server's budget like any other, so this keeps the upgrade from crowding out live traffic.
     */
    @WithDefault("2")
    int concurrencyPerServer();

    /**
     * One replica runs the fleet upgrade at a time, holding a claim in the registry that it renews
     * every fifth of this; a claim not renewed for this long belongs to a dead runner and another
     * replica takes the upgrade over.
     */
    @WithDefault("30s")
    Duration claimTimeout();
}
