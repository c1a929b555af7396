package io.tenantgate.governor;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lease protocol's timing constraints are checked when the application starts, with a message
 * that names the properties to change; the defaults satisfy them.
 */
class LeaseTimingsTest {

    private static LeaseTimings timings(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(BudgetConfig.class)
                .withMapping(PoolConfig.class)
                .withSources(new PropertiesConfigSource(all, "test", 500))
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .build();
        return new LeaseTimings(config.getConfigMapping(BudgetConfig.class), config.getConfigMapping(PoolConfig.class));
    }

    @Test
    void theDefaultsAreSafeAndGiveServersASevenSecondIdleTimeout() {
        LeaseTimings defaults = timings(Map.of());
        assertTrue(defaults.enabled(), "leases are on by default");
        assertEquals(7, defaults.serverIdleTimeoutSeconds(), "ttl/2 (10s) + margin (2s) - statement timeout (5s)");
        assertEquals(TimeUnit.SECONDS.toNanos(6), defaults.governorIdleCapNanos(TimeUnit.MINUTES.toNanos(5)),
                "the governor closes idle connections a second before the server would");
        assertEquals(1, defaults.maxReplicas());
    }

    @Test
    void aRenewalIntervalOfHalfTheTtlOrMoreIsRefused() {
        var failure = assertThrows(IllegalArgumentException.class,
                () -> timings(Map.of("tenantgate.budget.lease.renew", "10s")));
        assertTrue(failure.getMessage().contains("tenantgate.budget.lease.renew"), failure.getMessage());
    }

    @Test
    void aStatementTimeoutThatLeavesTheServerNoIdleTimeoutIsRefused() {
        var failure = assertThrows(IllegalArgumentException.class,
                () -> timings(Map.of("tenantgate.pool.statement-timeout", "11s")));
        assertTrue(failure.getMessage().contains("tenantgate.pool.statement-timeout"), failure.getMessage());
        var none = assertThrows(IllegalArgumentException.class,
                () -> timings(Map.of("tenantgate.pool.statement-timeout", "0s")));
        assertTrue(none.getMessage().contains("must be set when leases are on"), none.getMessage());
    }

    @Test
    void aHorizonCloseToTheTtlIsRefused() {
        var failure = assertThrows(IllegalArgumentException.class,
                () -> timings(Map.of("tenantgate.budget.lease.horizon", "40s")));
        assertTrue(failure.getMessage().contains("tenantgate.budget.lease.horizon"), failure.getMessage());
    }

    @Test
    void withLeasesOffNothingIsCheckedAndConnectionsKeepTheirIdleTimeout() {
        LeaseTimings off = timings(Map.of("tenantgate.budget.lease.enabled", "false", "tenantgate.pool.statement-timeout", "0s"));
        assertEquals(0, off.serverIdleTimeoutSeconds());
        assertEquals(TimeUnit.MINUTES.toNanos(5), off.governorIdleCapNanos(TimeUnit.MINUTES.toNanos(5)));
    }

    @Test
    void theDeprecatedReplicasNameStillSetsMaxReplicas() {
        assertEquals(5, timings(Map.of("tenantgate.budget.replicas", "5")).maxReplicas());
        assertEquals(3, timings(Map.of("tenantgate.budget.replicas", "5", "tenantgate.budget.max-replicas", "3")).maxReplicas());
    }
}
