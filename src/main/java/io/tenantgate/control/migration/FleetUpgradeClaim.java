package io.tenantgate.control.migration;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/**
 * The registry's claim on the fleet upgrade: which replica runs it, and its published progress.
 *
 * <p>Invariant: at most one replica holds the claim at any moment the registry decides, because
 * every change is one compare-and-set {@code UPDATE} of the single {@code fleet_upgrade} row:
 * <pre>
 *   free ──claim──▶ held by R ──renew (by R)──▶ held by R ──release (by R)──▶ free
 *                      │
 *                      └── not renewed within claim-timeout: stale ──claim (by S)──▶ held by S
 * </pre>
 * A renewal or release by a replica that no longer holds the claim changes nothing and says so,
 * which is how a runner that was paused past the timeout learns to stop. Times are the registry's
 * clock, so replicas' clocks never disagree about staleness.
 */
@ApplicationScoped
public class FleetUpgradeClaim {

    /** The claim as read: who holds it ({@code null}: nobody), whether it is stale, the last progress published. */
    public record Holder(String runner, boolean stale, int expectedVersion, String progressJson) {
    }

    private final Pool registry;

    public FleetUpgradeClaim(Pool registry) {
        this.registry = registry;
    }

    /** Takes the claim if it is free, stale, or a previous life of this same replica's; true if taken. */
    public Uni<Boolean> claim(String replica, int expectedVersion, Duration timeout, String progressJson) {
        return registry.preparedQuery("UPDATE fleet_upgrade SET runner = $1, expected_version = $2,"
                        + " renewed_at = clock_timestamp(), progress = $3::text::jsonb WHERE id = 1 AND (runner IS NULL"
                        + " OR runner = $1 OR renewed_at < clock_timestamp() - $4 * interval '1 millisecond')")
                .execute(Tuple.of(replica, expectedVersion, progressJson, timeout.toMillis()))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Renews the claim and publishes progress; false if this replica no longer holds it. */
    public Uni<Boolean> renew(String replica, String progressJson) {
        return registry.preparedQuery("UPDATE fleet_upgrade SET renewed_at = clock_timestamp(), progress = $2::text::jsonb"
                        + " WHERE id = 1 AND runner = $1")
                .execute(Tuple.of(replica, progressJson))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Publishes the final progress and frees the claim; false if this replica no longer held it. */
    public Uni<Boolean> release(String replica, String progressJson) {
        return registry.preparedQuery("UPDATE fleet_upgrade SET runner = NULL, renewed_at = clock_timestamp(),"
                        + " progress = $2::text::jsonb WHERE id = 1 AND runner = $1")
                .execute(Tuple.of(replica, progressJson))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<Holder> read(Duration timeout) {
        return registry.preparedQuery("SELECT runner, expected_version, progress::text AS progress,"
                        + " runner IS NOT NULL AND renewed_at < clock_timestamp() - $1 * interval '1 millisecond' AS stale"
                        + " FROM fleet_upgrade WHERE id = 1")
                .execute(Tuple.of(timeout.toMillis()))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Holder(row.getString("runner"), Boolean.TRUE.equals(row.getBoolean("stale")),
                            row.getInteger("expected_version"), row.getString("progress"));
                });
    }

    /** How many tenants are behind {@code expectedVersion}. */
    public Uni<Long> behind(int expectedVersion) {
        return registry.preparedQuery("SELECT COUNT(*) AS behind FROM tenant WHERE schema_version < $1")
                .execute(Tuple.of(expectedVersion))
                .map(rows -> rows.iterator().next().getLong("behind"));
    }
}
