package io.tenantgate.governor;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Shares of every server's connection budget among the replicas that are running, through leases
 * in the registry: no coordinator but the registry PostgreSQL, no Kubernetes API.
 *
 * <p><b>Membership.</b> Each replica holds one row of {@code replica_lease}: its id (unique per
 * start), when it started, when it was last renewed, and per server the share it may be using, its
 * guaranteed minimum (floor), the budget it knows and whether it wants a share. It renews every
 * {@code lease.renew}. Every time is stamped and compared on the registry's clock
 * ({@code clock_timestamp()}); ages are read, never local clocks compared.
 *
 * <p><b>A renewal</b> is two statements, each atomic on its own and neither holding a lock while
 * this replica thinks (so a replica frozen mid-renewal blocks nobody): read the whole table with
 * the table's version, compute the plan ({@link LeaseShares}), then one statement that bumps the
 * version only if it is still the one read and, if so, writes this replica's row (and deletes rows
 * past the horizon). A write based on a stale read changes nothing and is retried. So every write
 * is computed from the table exactly as it stood, and shares published concurrently cannot add up
 * past a budget.
 *
 * <p><b>The rule.</b> For every server, the sum over replicas of the connections each may be
 * using never exceeds the budget. Each replica's use is bounded by its <em>cap</em>, judged by its
 * own monotonic clock at every connect ({@link ServerBudget#cap}): the share of its last successful
 * renewal until {@code ttl/2} after that renewal was <em>sent</em>, then its floor until
 * {@code horizon - margin - statement-timeout} after it, then zero. The others count a replica's
 * row as: its published share while younger than {@code ttl + margin}; {@code min(share, floor)}
 * until {@code horizon + margin}; then nothing (they delete it).
 *
 * <p><b>Why it holds.</b>
 * <ol>
 *   <li>Growth: a replica's share grows only by a successful write, to at most what the others'
 *       rows leave ({@code budget - committed}), computed from the table as it stood at that write.</li>
 *   <li>Shrinking: a smaller share is applied locally first (idle connections close at once, busy
 *       ones when their work ends, within the statement timeout), and the published figure is
 *       {@code max(share, permits held)}: the others never see room before it is really free.</li>
 *   <li>No renewal: the registry stamps a renewal after it was sent, so the replica's own deadlines
 *       (from the send) precede the others' (from the stamp) in real time. Its connections above the
 *       floor are gone by {@code ttl/2 + statement-timeout}, which the start-up check keeps below
 *       {@code ttl + margin}, when the others may first reuse them; it is at zero by
 *       {@code horizon - margin}, before they reuse its floor.</li>
 *   <li>A frozen replica (SIGSTOP, a stuck VM) cannot close anything. Its servers do: with leases on
 *       every tenant connection carries a server-side idle timeout of
 *       {@code ttl/2 + margin - statement-timeout} (whole seconds), so a connection left by a frozen
 *       replica, idle from at most {@code statement-timeout} after the freeze, is closed by its
 *       server before {@code ttl + margin} after the last renewal. On thaw the replica's cap has
 *       already fallen (its clock ran on), and it grows again only through a renewal.</li>
 *   <li>A crashed replica's connections close with its process; its share above the floor is
 *       reused after {@code ttl + margin}, the floor after {@code horizon + margin}.</li>
 *   <li>A stop (SIGTERM) deletes the row once the pools have closed and every permit is back:
 *       zero is published, the others grow at their next renewal.</li>
 * </ol>
 * Timing constraints ({@link LeaseTimings}, checked at start-up): {@code renew < ttl/2};
 * {@code margin > 0} exceeds the renewal's send-to-stamp delay and clock-rate error (offsets do not
 * matter: one clock); {@code ttl/2 + margin - statement-timeout >= 2s}; {@code horizon >= 3 ttl}.
 * A registry outage shorter than the horizon leaves every replica at its floor: none grows, none
 * goes to zero.
 *
 * <p><b>Split.</b> By demand among the live replicas that use a server (a replica that has no
 * tenant there claims nothing): max-min fair on the connections each had in use or wanted since
 * its previous renewal, and what demand leaves over partly spread, partly left free for a replica
 * that starts or grows ({@link LeaseShares}). With demand on every replica the shares are the
 * equal split and sum to the budget. A replica whose requests queue at its share renews at once
 * (at most every 100 ms) when the last renewal saw free room, so a burst grows its share in a round
 * trip to the registry rather than a renewal period.
 *
 * <p><b>State</b> (per replica): NEW (no renewal yet: every share zero) ──renewal──▶ RENEWED
 * ──{@code ttl/2} without one──▶ AT_MINIMUM (warned once) ──{@code horizon - margin -
 * statement-timeout}──▶ AT_ZERO; any successful renewal ──▶ RENEWED. One renewal runs at a time;
 * one that has not ended after {@code ttl} is abandoned (a late answer is ignored).
 */
@ApplicationScoped
public class ReplicaLeases {

    private static final Logger LOG = Logger.getLogger(ReplicaLeases.class);
    private static final int WRITE_ATTEMPTS = 4;

    private static final String READ = """
            SELECT e.version, l.replica_id, l.shares,
                   (EXTRACT(EPOCH FROM (clock_timestamp() - l.renewed_at)) * 1000000)::bigint AS age_micros
              FROM replica_lease_epoch e LEFT JOIN replica_lease l ON TRUE""";

    private static final String WRITE = """
            WITH bump AS (
                UPDATE replica_lease_epoch SET version = version + 1 WHERE version = $1 RETURNING version),
            gone AS (
                DELETE FROM replica_lease WHERE replica_id = ANY($4) AND EXISTS (SELECT 1 FROM bump))
            INSERT INTO replica_lease (replica_id, started_at, renewed_at, shares)
            SELECT $2, clock_timestamp(), clock_timestamp(), $3 FROM bump
            ON CONFLICT (replica_id) DO UPDATE SET renewed_at = EXCLUDED.renewed_at, shares = EXCLUDED.shares
            RETURNING replica_id""";

    /** What this replica last saw and took; for readiness, the admin view and metrics. */
    @Schema(name = "ReplicaView")
    public record View(boolean enabled, String replicaId, String state, int liveReplicas, long renewedMillisAgo,
                       Map<String, ServerShare> servers) {
    }

    /**
     * @param share     this replica's share as granted by its last renewal
     * @param inForce   the limit it applies now (the share, its floor, or zero when it cannot renew)
     * @param floor     its guaranteed minimum
     * @param budget    the budget of all replicas together
     * @param published the sum of the shares published by live replicas, this one's included
     */
    public record ServerShare(int share, int inForce, int floor, int budget, int published) {
    }

    private final io.vertx.sqlclient.Pool registry;
    private final Vertx vertx;
    private final ServerBudgets budgets;
    private final LeaseTimings timings;
    private final String replicaId;
    /** A renewal is running; guarded by this object's monitor. */
    private boolean renewing;
    private volatile boolean again;
    private volatile boolean stopped;
    /** Counts renewals; one whose number is no longer current is ignored when it answers. */
    private volatile long generation;
    private volatile long renewalStartedNanos;
    /** When the last successful renewal was sent; 0: never. */
    private volatile long renewedSentNanos;
    private volatile boolean warnedAtMinimum;
    private volatile int liveReplicas;
    private volatile Map<String, Integer> publishedSums = Map.of();
    /** Per server, what the last renewal left unclaimed by anyone. */
    private volatile Map<String, Integer> roomLeft = Map.of();
    private volatile long lastEarlyNanos;
    private static final long EARLY_RENEWAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private long timer = -1;

    public ReplicaLeases(io.vertx.mutiny.sqlclient.Pool registry, Vertx vertx, ServerBudgets budgets,
                         LeaseTimings timings, BudgetConfig config) {
        this.registry = registry.getDelegate();
        this.vertx = vertx;
        this.budgets = budgets;
        this.timings = timings;
        this.replicaId = config.lease().replicaId().filter(id -> !id.isBlank()).orElseGet(ReplicaLeases::defaultId);
    }

    private static String defaultId() {
        String host;
        try {
            host = System.getenv().getOrDefault("HOSTNAME", InetAddress.getLocalHost().getHostName());
        } catch (Exception e) {
            host = "replica";
        }
        byte[] suffix = new byte[4];
        new SecureRandom().nextBytes(suffix);
        return host + "-" + HexFormat.of().formatHex(suffix); // a restarted pod is a new member
    }

    /** Early among start-up observers: tenants provisioned at start-up (the demo's) need a share to connect. */
    void start(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        if (!timings.enabled()) {
            return;
        }
        LOG.infof("replica %s shares server budgets through leases (renew %d ms, minimum 1/%d of a budget)",
                replicaId, TimeUnit.NANOSECONDS.toMillis(timings.renewNanos()), timings.maxReplicas());
        budgets.onNewBudget(this::adopt);
        budgets.all().values().forEach(this::adopt);
        timer = vertx.setPeriodic(Math.max(50, TimeUnit.NANOSECONDS.toMillis(timings.renewNanos())), id -> tick());
        renew();
    }

    /** A budget just made: claim a share for it now, and grow it early when requests queue for it. */
    private void adopt(ServerBudget budget) {
        budget.onShareLimited(() -> growSoon(budget.server()));
        renew();
    }

    /**
     * Requests queue at this replica's share of a server: renew now (at most every 100 ms) if the
     * last renewal left room there; with none, the periodic renewal sees when some frees up.
     */
    private void growSoon(String server) {
        if (roomLeft.getOrDefault(server, 1) <= 0) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastEarlyNanos < EARLY_RENEWAL_NANOS) {
            return;
        }
        lastEarlyNanos = now;
        vertx.runOnContext(v -> renew());
    }

    /** The cap that fell with time is applied by TenantPools' health timer; this warns and renews. */
    private void tick() {
        long sent = renewedSentNanos;
        if (sent != 0 && !warnedAtMinimum && System.nanoTime() - sent > timings.fullShareForNanos()) {
            warnedAtMinimum = true;
            LOG.warnf("replica %s could not renew its lease for %d ms: it serves at its guaranteed minimum of each"
                    + " server's budget until it can (and with nothing after %d s)", replicaId,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent),
                    TimeUnit.NANOSECONDS.toSeconds(timings.floorForNanos()));
        }
        renew();
    }

    /** Starts a renewal unless one is running (then another follows it). */
    void renew() {
        long mine;
        synchronized (this) {
            if (stopped) {
                return;
            }
            if (renewing) {
                if (System.nanoTime() - renewalStartedNanos <= timings.expiredAfterNanos()) {
                    again = true;
                    return;
                }
                LOG.warnf("a lease renewal of replica %s got no answer from the registry; starting another", replicaId);
            }
            renewing = true;
            again = false;
            mine = ++generation; // an abandoned renewal's late answer is ignored
            renewalStartedNanos = System.nanoTime();
        }
        attempt(mine, 1).onComplete(done -> {
            if (done.failed()) {
                LOG.debugf("lease renewal of replica %s failed: %s", replicaId, done.cause().toString());
            }
            boolean follow;
            synchronized (this) {
                follow = generation == mine && again;
                if (generation == mine) {
                    renewing = false;
                }
            }
            if (follow) {
                vertx.runOnContext(v -> renew());
            }
        });
    }

    private Future<Void> attempt(long mine, int attempt) {
        return registry.query(READ).execute().compose(table -> {
            if (generation != mine || stopped) {
                return Future.succeededFuture();
            }
            long version = 0;
            List<LeaseShares.Lease> leases = new ArrayList<>();
            List<String> gone = new ArrayList<>();
            for (Row row : table) {
                version = row.getLong("version");
                String id = row.getString("replica_id");
                if (id == null) {
                    continue;
                }
                long age = row.getLong("age_micros") * 1000;
                if (!id.equals(replicaId) && age > timings.goneAfterNanos()) {
                    gone.add(id);
                }
                leases.add(new LeaseShares.Lease(id, age, claims(row.getJsonObject("shares"))));
            }
            Map<String, ServerBudget> mineNow = budgets.all();
            Map<String, ServerBudget.LeaseView> views = new HashMap<>();
            mineNow.forEach((server, budget) -> views.put(server, budget.leaseView()));
            Map<String, LeaseShares.Plan> plans = LeaseShares.plan(replicaId, leases, views, timings.maxReplicas(),
                    timings.expiredAfterNanos(), timings.goneAfterNanos());
            JsonObject shares = new JsonObject();
            plans.forEach((server, plan) -> shares.put(server, new JsonObject().put("share", plan.published())
                    .put("floor", plan.floor()).put("budget", plan.budget()).put("active", views.get(server).inUse())
                    .put("demand", views.get(server).demand())));
            int live = LeaseShares.live(replicaId, leases, timings.expiredAfterNanos());
            long sent = System.nanoTime();
            return registry.preparedQuery(WRITE)
                    .execute(Tuple.of(version, replicaId, shares, gone.toArray(new String[0])))
                    .compose(written -> {
                        if (generation != mine) {
                            return Future.succeededFuture();
                        }
                        if (written.rowCount() == 0) {
                            if (attempt >= WRITE_ATTEMPTS) {
                                return Future.failedFuture("another replica wrote the lease table " + attempt + " times in a row");
                            }
                            Future<Void> later = Future.future(p -> vertx.setTimer(
                                    ThreadLocalRandom.current().nextLong(5, 40), id -> p.complete()));
                            return later.compose(v -> attempt(mine, attempt + 1));
                        }
                        applied(plans, mineNow, live, sent);
                        return Future.succeededFuture();
                    });
        });
    }

    private void applied(Map<String, LeaseShares.Plan> plans, Map<String, ServerBudget> mineNow, int live,
                         long sent) {
        if (warnedAtMinimum) {
            LOG.infof("replica %s renewed its lease again; its shares follow the live replicas", replicaId);
        }
        warnedAtMinimum = false;
        renewedSentNanos = sent;
        liveReplicas = live;
        Map<String, Integer> sums = new HashMap<>();
        Map<String, Integer> room = new HashMap<>();
        plans.forEach((server, plan) -> {
            ServerBudget budget = mineNow.get(server);
            budget.demandPublished();
            budget.grant(plan.share(), plan.floor(), sent, timings.fullShareForNanos(), timings.floorForNanos());
            room.put(server, plan.budget() - plan.committedByOthers() - plan.published());
            sums.put(server, plan.published() + plan.publishedByOthers());
        });
        publishedSums = Map.copyOf(sums);
        roomLeft = Map.copyOf(room);
    }

    private static Map<String, LeaseShares.Claim> claims(JsonObject shares) {
        Map<String, LeaseShares.Claim> claims = new HashMap<>();
        if (shares != null) {
            for (String server : shares.fieldNames()) {
                JsonObject claim = shares.getJsonObject(server);
                claims.put(server, new LeaseShares.Claim(claim.getInteger("share", 0), claim.getInteger("floor", 0),
                        claim.getInteger("budget", 0), claim.getBoolean("active", true),
                        claim.getInteger("demand", Integer.MAX_VALUE)));
            }
        }
        return claims;
    }

    /**
     * The stop: called once every pool has closed. Waits (bounded) for the last permits to come
     * back, then deletes this replica's row: it publishes zero, and the others take its share at
     * their next renewal. Runs on the stopping thread, never an event loop.
     */
    void release(long timeoutNanos) {
        if (!timings.enabled() || stopped) {
            return;
        }
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (budgets.all().values().stream().anyMatch(b -> b.granted() > 0) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (budgets.all().values().stream().anyMatch(b -> b.granted() > 0)) {
            LOG.warnf("replica %s still holds connections at its stop; its lease is left to expire", replicaId);
            return;
        }
        try {
            registry.preparedQuery("DELETE FROM replica_lease WHERE replica_id = $1").execute(Tuple.of(replicaId))
                    .toCompletionStage().toCompletableFuture()
                    .get(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS);
            LOG.infof("replica %s published zero: its lease is gone", replicaId);
        } catch (Exception e) {
            LOG.warnf("replica %s could not delete its lease at its stop (%s); it expires after the ttl",
                    replicaId, e.toString());
        }
    }

    /** This replica's id: {@code tenantgate.budget.lease.replica-id}, or the host name and a random suffix. */
    public String replicaId() {
        return replicaId;
    }

    public View view() {
        if (!timings.enabled()) {
            return new View(false, replicaId, "OFF", 1, -1, Map.of());
        }
        long sent = renewedSentNanos;
        long now = System.nanoTime();
        String state = sent == 0 ? "NEW" : now - sent <= timings.fullShareForNanos() ? "RENEWED"
                : now - sent <= timings.floorForNanos() ? "AT_MINIMUM" : "AT_ZERO";
        Map<String, ServerShare> servers = new HashMap<>();
        Map<String, Integer> sums = publishedSums;
        budgets.all().forEach((server, budget) -> {
            ServerBudget.LeaseView view = budget.leaseView();
            servers.put(server, new ServerShare(view.share(), view.cap(), view.floor(), view.fleetBudget(),
                    sums.getOrDefault(server, view.share())));
        });
        return new View(true, replicaId, state, Math.max(1, liveReplicas),
                sent == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(now - sent), Map.copyOf(servers));
    }
}
