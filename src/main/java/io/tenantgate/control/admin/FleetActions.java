package io.tenantgate.control.admin;

import io.smallrye.mutiny.Uni;
import io.tenantgate.control.registry.RegistryConfig;
import io.tenantgate.governor.LeaseTimings;
import io.tenantgate.governor.ReplicaLeases;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.platform.problem.ProblemException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Takes an operator's admin action to every live replica, through the registry they share, and
 * finds out within a bound which replicas acted.
 *
 * <p><b>Issuing.</b> One statement stores the action in {@code admin_action} and reads which
 * replicas are live at that moment (a lease younger than {@code ttl + margin}, the leases' own
 * rule): those are the replicas that must act. This replica performs it at once and acknowledges;
 * the others find it at their next poll ({@link FleetActionPoller}). This replica then reads the
 * acknowledgements and the leases every {@value #ROUND_MILLIS} ms until every replica that must act
 * has acknowledged, or has no live lease any more, or {@code tenantgate.admin.fleet-wait} has passed.
 *
 * <p><b>The outcome</b> sorts the replicas live at issue into three: <em>acted</em> (acknowledged,
 * with what each did; a replica that started since and acted is listed too), <em>pending</em>
 * (still live, not acknowledged within the bound: it will act when its poll comes, the action stays
 * in the registry), <em>gone</em> (its lease ended before it acknowledged: stopped, which closes every
 * pool before the lease is deleted, or crashed). Nothing is waited for without bound, and nothing
 * blocks: the wait is timers and registry queries.
 *
 * <p>A view ({@link AdminAction#kept} false: the fleet's pools) travels the same way and is deleted
 * with its acknowledgements once answered: nobody acts on it late, and the registry keeps no copies.
 *
 * <p>With leases off there is one replica and no lease table to name the others: the action is
 * performed here only and the outcome names this replica.
 */
@ApplicationScoped
public class FleetActions {

    private static final Logger LOG = Logger.getLogger(FleetActions.class);
    static final long ROUND_MILLIS = 200;

    /** The action, stored, joined with every replica live at that moment (none: one row, replica NULL). */
    private static final String ISSUE = """
            WITH a AS (INSERT INTO admin_action (action, tenant_key, issued_by) VALUES ($1, $2, $3) RETURNING seq)
            SELECT a.seq, l.replica_id FROM a
              LEFT JOIN replica_lease l ON l.renewed_at > clock_timestamp() - make_interval(secs => $4)""";

    /** The acknowledgements so far, and the replicas live now. */
    private static final String ROUND = """
            SELECT 'ack' AS kind, replica_id, result FROM admin_action_ack WHERE seq = $1
            UNION ALL
            SELECT 'live', replica_id, NULL FROM replica_lease
             WHERE renewed_at > clock_timestamp() - make_interval(secs => $2)""";

    /**
     * What became of an action across the fleet.
     *
     * @param acted   per replica that acknowledged, what it did (sorted by replica)
     * @param pending replicas live at issue and still live that did not acknowledge within the bound
     * @param gone    replicas live at issue whose lease ended before they acknowledged
     */
    public record Outcome(Map<String, JsonObject> acted, List<String> pending, List<String> gone) {
    }

    private final Pool registry;
    private final TenantPools pools;
    private final LeaseTimings timings;
    private final ReplicaLeases leases;
    private final FleetActionPoller poller;
    private final RegistryConfig registryConfig;
    private final AdminConfig config;
    private final Vertx vertx;

    public FleetActions(Pool registry, TenantPools pools, LeaseTimings timings, ReplicaLeases leases,
                        FleetActionPoller poller, RegistryConfig registryConfig, AdminConfig config, Vertx vertx) {
        this.registry = registry;
        this.pools = pools;
        this.timings = timings;
        this.leases = leases;
        this.poller = poller;
        this.registryConfig = registryConfig;
        this.config = config;
        this.vertx = vertx;
    }

    /** This replica's name, as the outcome and the {@code Tenantgate-Replica} header give it. */
    public String replicaId() {
        return leases.replicaId();
    }

    /** Whether the registry knows the tenant (an evict of an unknown key is a caller's mistake, 404). */
    Uni<Boolean> tenantExists(String tenant) {
        return registry.preparedQuery("SELECT 1 FROM tenant WHERE tenant_key = $1").execute(Tuple.of(tenant))
                .ifNoItem().after(registryConfig.lookupTimeout()).fail()
                .onFailure().transform(FleetActions::registryUnavailable)
                .map(rows -> rows.size() > 0);
    }

    /** Performs the action on every live replica; {@code tenant} is null for actions on every tenant. */
    Uni<Outcome> perform(AdminAction action, String tenant) {
        if (!timings.enabled()) {
            return Uni.createFrom().item(() -> new Outcome(Map.of(replicaId(), action.perform(pools, tenant)),
                    List.of(), List.of()));
        }
        double liveSeconds = timings.expiredAfterNanos() / 1e9;
        long deadline = System.nanoTime() + config.fleetWait().toNanos();
        return registry.preparedQuery(ISSUE).execute(Tuple.of(action.stored, tenant, replicaId(), liveSeconds))
                .ifNoItem().after(registryConfig.lookupTimeout()).fail()
                .onFailure().transform(FleetActions::registryUnavailable)
                .chain(rows -> {
                    long seq = rows.iterator().next().getLong("seq");
                    Set<String> mustAct = new TreeSet<>();
                    rows.forEach(row -> {
                        if (row.getString("replica_id") != null) {
                            mustAct.add(row.getString("replica_id"));
                        }
                    });
                    JsonObject mine = poller.performOnce(seq, action, tenant);
                    LOG.logf(action.kept ? Logger.Level.INFO : Logger.Level.DEBUG,
                            "fleet-wide admin action %d %s%s issued here; %d live replicas must act",
                            seq, action.stored, tenant == null ? "" : " " + tenant, mustAct.size());
                    Round first = new Round(Map.of(replicaId(), mine), mustAct);
                    // A failed acknowledgement is written again by this replica's poller; the wait goes on.
                    return poller.acknowledge(seq, mine).onFailure().recoverWithNull()
                            .chain(() -> await(seq, mustAct, first, deadline, liveSeconds))
                            .invoke(outcome -> {
                                if (!action.kept) {
                                    forget(seq);
                                }
                            });
                });
    }

    /** Deletes an answered view with its acknowledgements; if this fails, the daily purge does it. */
    private void forget(long seq) {
        registry.preparedQuery("DELETE FROM admin_action WHERE seq = $1").execute(Tuple.of(seq))
                .subscribe().with(done -> { },
                        failure -> LOG.debugf("could not delete admin action %d: %s", seq, failure.toString()));
    }

    /** What one read of the registry showed: acknowledgements, and which replicas are live. */
    private record Round(Map<String, JsonObject> acks, Set<String> live) {
    }

    private Uni<Outcome> await(long seq, Set<String> mustAct, Round round, long deadline, double liveSeconds) {
        Set<String> waiting = new TreeSet<>(mustAct);
        waiting.removeAll(round.acks().keySet());
        waiting.retainAll(round.live());
        if (waiting.isEmpty() || System.nanoTime() >= deadline) {
            return Uni.createFrom().item(outcome(mustAct, round, waiting));
        }
        long pause = Math.min(ROUND_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        return Uni.createFrom().<Void>emitter(e -> vertx.setTimer(pause, id -> e.complete(null)))
                .chain(() -> registry.preparedQuery(ROUND).execute(Tuple.of(seq, liveSeconds))
                        .ifNoItem().after(registryConfig.lookupTimeout()).fail())
                .map(rows -> read(rows, round))
                // A round the registry did not answer changes nothing; the bound still holds.
                .onFailure().recoverWithItem(round)
                .chain(next -> await(seq, mustAct, next, deadline, liveSeconds));
    }

    private Round read(RowSet<Row> rows, Round previous) {
        Map<String, JsonObject> acks = new TreeMap<>(previous.acks());
        Set<String> live = new HashSet<>();
        for (Row row : rows) {
            if ("ack".equals(row.getString("kind"))) {
                acks.put(row.getString("replica_id"), row.getJsonObject("result"));
            } else {
                live.add(row.getString("replica_id"));
            }
        }
        return new Round(acks, live);
    }

    private static Outcome outcome(Set<String> mustAct, Round round, Set<String> pending) {
        List<String> gone = mustAct.stream()
                .filter(r -> !round.acks().containsKey(r) && !round.live().contains(r)).sorted().toList();
        return new Outcome(new TreeMap<>(round.acks()), List.copyOf(pending), gone);
    }

    private static Throwable registryUnavailable(Throwable failure) {
        if (failure instanceof ProblemException) {
            return failure;
        }
        LOG.warnf("registry unavailable for an admin action: %s", failure.toString());
        return ProblemException.unavailable("registry-unavailable",
                "the tenant registry cannot be reached, so the action could not reach the other replicas;"
                        + " nothing was done; retry shortly", 5);
    }
}
