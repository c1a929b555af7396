package io.tenantgate.control.migration;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a runner publishes in the registry is what every other replica reads back: the progress
 * survives the round trip through the application's own JSON mapper unchanged.
 */
@QuarkusTest
class PublishedProgressTest {

    @Inject
    ObjectMapper json;

    @Inject
    FleetUpgradeClaim claim;

    @Inject
    FleetMigrations fleet;

    @Test
    void everyReplicaReadsTheProgressTheRunnerPublished() {
        // The run at start has finished here (nothing was behind): what it published is a JSON object
        // in the registry, and what a replica reads back is the runner's own final view.
        Duration wait = Duration.ofSeconds(10);
        FleetUpgradeClaim.Holder holder = claim.read(Duration.ofSeconds(30)).await().atMost(wait);
        assertTrue(holder.progressJson().startsWith("{"), holder.progressJson());
        assertEquals(fleet.progress(), fleet.fleetProgress().await().atMost(wait));
    }

    @Test
    void progressPublishedByTheRunnerReadsBackUnchanged() throws Exception {
        FleetMigrations.Progress progress = new FleetMigrations.Progress(3, true, Instant.parse("2026-12-07T21:00:00Z"),
                null, 6, 2, 2, 1, 1, 2, 2, List.of(new FleetMigrations.TenantProgress("acme", "db:5432",
                FleetMigrations.State.FAILED, "boom")), "replica-b");
        String published = json.writeValueAsString(progress);
        assertEquals(progress, json.readValue(published, FleetMigrations.Progress.class), published);
    }
}
