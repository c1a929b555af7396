package io.tenantgate.control.admin;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.tenantgate.control.registry.RegistryConfig;
import io.tenantgate.governor.LeaseTimings;
import io.tenantgate.governor.ReplicaLeases;
import io.tenantgate.governor.TenantPools;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Brings every fleet-wide admin action to this replica, whichever replica took it, within
 * {@code tenantgate.admin.action-poll} plus one registry round trip: it performs the action on
 * its own pools and acknowledges it in {@code admin_action_ack} with what it did.
 *
 * <p><b>Once per replica.</b> An action is performed at most once here ({@link #performOnce}),
 * whether the poll finds it or this replica issued it; its result is kept, so an acknowledgement
 * that failed to be written is written again, with the same result, at the next poll. Sequence
 * numbers can commit out of order, so each poll also re-reads the last {@value #OVERLAP_SECONDS}
 * seconds of actions this replica has not acknowledged. The first poll after start-up reads only
 * that window: a replica that starts acts on what was issued just before (evicting a pool it has
 * just built is a harmless drain), not on the whole history.
 *
 * <p>With leases off there is no fleet to reach (one replica): nothing polls, and actions are
 * local ({@link FleetActions}).
 */
@ApplicationScoped
public class FleetActionPoller {

    private static final Logger LOG = Logger.getLogger(FleetActionPoller.class);
    static final int OVERLAP_SECONDS = 30;

    /** The actions to perform here, and one row (action NULL) with the highest sequence number. */
    private static final String POLL = """
            SELECT a.seq, a.action, a.tenant_key FROM admin_action a
             WHERE (a.seq > $1 OR a.issued_at > clock_timestamp() - interval '%d seconds')
               AND NOT EXISTS (SELECT 1 FROM admin_action_ack k WHERE k.seq = a.seq AND k.replica_id = $2)
            UNION ALL
            SELECT COALESCE(MAX(seq), 0), NULL, NULL FROM admin_action""".formatted(OVERLAP_SECONDS);

    private static final String ACK = """
            INSERT INTO admin_action_ack (seq, replica_id, result) VALUES ($1, $2, $3)
            ON CONFLICT (seq, replica_id) DO NOTHING""";

    private final Pool registry;
    private final TenantPools pools;
    private final LeaseTimings timings;
    private final ReplicaLeases leases;
    private final RegistryConfig registryConfig;
    private final AdminConfig config;
    private final Vertx vertx;
    private final AtomicBoolean polling = new AtomicBoolean();
    /** What this replica did for each action, by sequence number, kept as long as the overlap can return it. */
    private final Map<Long, Performed> performed = new ConcurrentHashMap<>();
    private volatile long lastSeq = -1;
    private long timer = -1;
    private long polls;

    private record Performed(JsonObject result, long atNanos) {
    }

    public FleetActionPoller(Pool registry, TenantPools pools, LeaseTimings timings, ReplicaLeases leases,
                             RegistryConfig registryConfig, AdminConfig config, Vertx vertx) {
        this.registry = registry;
        this.pools = pools;
        this.timings = timings;
        this.leases = leases;
        this.registryConfig = registryConfig;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        if (timings.enabled()) {
            timer = vertx.setPeriodic(Math.max(100, config.actionPoll().toMillis()), id -> poll());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Performs the action here unless it already was, and returns what it did here. */
    JsonObject performOnce(long seq, AdminAction action, String tenant) {
        return performed.computeIfAbsent(seq, s -> new Performed(action.perform(pools, tenant), System.nanoTime()))
                .result();
    }

    /** Writes this replica's acknowledgement; a second write of the same one changes nothing. */
    Uni<Void> acknowledge(long seq, JsonObject result) {
        return registry.preparedQuery(ACK).execute(Tuple.of(seq, leases.replicaId(), result))
                .ifNoItem().after(registryConfig.lookupTimeout()).fail()
                .replaceWithVoid();
    }

    void poll() {
        if (!polling.compareAndSet(false, true)) {
            return;
        }
        registry.preparedQuery(POLL).execute(Tuple.of(lastSeq < 0 ? Long.MAX_VALUE : lastSeq, leases.replicaId()))
                .ifNoItem().after(registryConfig.lookupTimeout()).fail()
                .subscribe().with(rows -> {
                    long max = lastSeq;
                    for (Row row : rows) {
                        long seq = row.getLong("seq");
                        max = Math.max(max, seq);
                        String name = row.getString("action");
                        if (name != null) {
                            perform(seq, name, row.getString("tenant_key"));
                        }
                    }
                    long now = System.nanoTime();
                    performed.values().removeIf(p -> now - p.atNanos() > 2 * OVERLAP_SECONDS * 1_000_000_000L);
                    lastSeq = max;
                    polling.set(false);
                    if (++polls % 2_000 == 0) {
                        purge();
                    }
                }, failure -> {
                    polling.set(false);
                    LOG.debugf("admin action poll failed: %s", failure.toString());
                });
    }

    private void perform(long seq, String name, String tenant) {
        AdminAction action = AdminAction.of(name);
        if (action == null) {
            // Left unacknowledged: the issuer reports this replica pending rather than a guess.
            LOG.debugf("admin action %d (%s) is unknown to this version; not acknowledged", seq, name);
            return;
        }
        boolean first = !performed.containsKey(seq);
        JsonObject result = performOnce(seq, action, tenant);
        if (first && action.kept) { // a change is worth a line; a view (a list of pools) is not
            LOG.infof("performed fleet-wide admin action %d %s%s here: %s", seq, name,
                    tenant == null ? "" : " " + tenant, result.encode());
        }
        acknowledge(seq, result).subscribe().with(done -> { },
                failure -> LOG.debugf("could not acknowledge admin action %d: %s", seq, failure.toString()));
    }

    private void purge() {
        registry.query("DELETE FROM admin_action WHERE issued_at < clock_timestamp() - interval '1 day'")
                .execute().subscribe().with(done -> { }, failure -> { });
    }
}
