package io.tenantgate.control.admin;

import io.smallrye.mutiny.Uni;
import io.tenantgate.control.health.HealthConfig;
import io.tenantgate.control.registry.TenantKey;
import io.tenantgate.governor.GovernorStats;
import io.tenantgate.governor.ReplicaLeases;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.platform.problem.ProblemException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The operator's view of the governor: every live pool, every server's budget with plain advice,
 * and levers to drain pools. Only tokens with group {@code operator}; tenant users get 403.
 *
 * <p>The views are the answering replica's own (the Service picks it), and say so: header
 * {@value #REPLICA_HEADER}. The levers act on every live replica ({@link FleetActions}) and the
 * answer says which replicas acted within {@code tenantgate.admin.fleet-wait} and which did not.
 * Evicting drains: admitted work finishes, then the pool closes; the tenant's next request builds
 * a new pool.
 */
@Path("/admin")
@RolesAllowed("operator")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Pools")
public class AdminPoolsResource {

    /** Names the replica that answered: every view here is that one replica's. */
    public static final String REPLICA_HEADER = "Tenantgate-Replica";
    private static final String ALL_ACTED = "Every live replica acted";
    private static final String SOME_PENDING = "Some live replicas had not acted within tenantgate.admin.fleet-wait: "
            + "they are listed in pending and act when their poll comes";

    private final TenantPools pools;
    private final ReplicaLeases leases;
    private final FleetActions fleet;
    private final ServerAdvice advice;

    public AdminPoolsResource(TenantPools pools, ReplicaLeases leases, FleetActions fleet, HealthConfig health) {
        this.pools = pools;
        this.leases = leases;
        this.fleet = fleet;
        this.advice = new ServerAdvice(health);
    }

    /** One live pool as the operator sees it. */
    public record PoolView(String tenant, String server, int open, int inUse, int idle, int waiting, int max,
                           long idleSeconds, Instant lastUsed, long uses, String breaker) {

        /** Every live pool of this replica, now. */
        static List<PoolView> of(TenantPools pools) {
            Instant now = Instant.now();
            return pools.snapshot().tenants().stream()
                    .map(t -> new PoolView(t.tenant(), t.server(), t.open(), t.inUse(), t.idle(), t.waiting(), t.max(),
                            t.inUse() > 0 ? 0 : Duration.between(t.lastUsed(), now).toSeconds(), t.lastUsed(),
                            t.uses(), t.breaker()))
                    .toList();
        }
    }

    /** One replica's live pools. */
    public record ReplicaPools(String replica, List<PoolView> pools) {
    }

    /**
     * Every live replica's pools, as each answered within the bound.
     *
     * @param pending live replicas that had not answered within the bound: their pools are missing
     * @param gone    replicas live when the view was asked for whose lease has ended since
     */
    public record FleetPools(List<ReplicaPools> replicas, List<String> pending, List<String> gone) {
    }

    /** What one replica did when asked to evict a tenant's pool. */
    public record ReplicaEvicted(String replica, boolean evicted) {
    }

    /**
     * The answer to evicting one tenant's pool across the fleet.
     *
     * @param evicted  some replica had a pool for the tenant and closed it
     * @param replicas every replica that acted within the bound, and whether it had a pool to close
     * @param pending  live replicas that had not acted within the bound; they act when their poll comes
     * @param gone     replicas live when the action was issued whose lease has ended since (stopped or lost)
     */
    public record Evicted(String tenant, boolean evicted, List<ReplicaEvicted> replicas, List<String> pending,
                          List<String> gone) {
    }

    /** The pools one replica closed because idle. */
    public record ReplicaIdleEvicted(String replica, List<String> evicted) {
    }

    /**
     * The tenants whose pools were closed because idle, on any replica, and how many; per replica,
     * as for {@link Evicted}.
     */
    public record IdleEvicted(List<String> evicted, int count, List<ReplicaIdleEvicted> replicas,
                              List<String> pending, List<String> gone) {
    }

    @GET
    @Path("/pools")
    @Operation(operationId = "listPools", summary = "Every live tenant pool of the replica that answers, and its connections")
    @APIResponse(responseCode = "200", description = "This replica's pools; Tenantgate-Replica names the replica",
            headers = @Header(ref = REPLICA_HEADER), content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = PoolView.class)))
    public Response pools() {
        return fromThisReplica(PoolView.of(pools));
    }

    /**
     * Every live replica's pools, gathered through the registry like the levers' acknowledgements;
     * a view is not kept: a replica that has not answered within the bound is listed as pending.
     */
    @GET
    @Path("/fleet/pools")
    @Operation(operationId = "listFleetPools", summary = "Every live tenant pool of every live replica")
    @APIResponse(responseCode = "200", description = "Each replica's pools; pending: replicas that did not answer in time",
            headers = @Header(ref = REPLICA_HEADER), content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = FleetPools.class)))
    public Uni<Response> fleetPools() {
        return fleet.perform(AdminAction.LIST_POOLS, null).map(outcome -> fromThisReplica(new FleetPools(
                outcome.acted().entrySet().stream().map(e -> new ReplicaPools(e.getKey(), poolViews(e.getValue())))
                        .toList(), outcome.pending(), outcome.gone())));
    }

    private static List<PoolView> poolViews(JsonObject result) {
        JsonArray views = result.getJsonArray("pools");
        return views == null ? List.of() : views.stream().map(v -> ((JsonObject) v).mapTo(PoolView.class)).toList();
    }

    @GET
    @Path("/servers")
    @Operation(operationId = "listServers",
            summary = "Every database server as the replica that answers sees it: budget, use, saturation, hand-overs, advice")
    @APIResponse(responseCode = "200", description = "This replica's view; Tenantgate-Replica names the replica",
            headers = @Header(ref = REPLICA_HEADER), content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = ServerAdvice.ServerView.class)))
    public Response servers() {
        GovernorStats stats = pools.snapshot();
        ReplicaLeases.View view = leases.view();
        return fromThisReplica(stats.servers().stream().map(server -> advice.of(server, stats.tenants(), view)).toList());
    }

    /**
     * This replica's lease: its id, state ({@code OFF}, {@code NEW}, {@code RENEWED},
     * {@code AT_MINIMUM}, {@code AT_ZERO}), the live replicas and its share of every server.
     */
    @GET
    @Path("/replicas")
    @Operation(operationId = "getReplica", summary = "This replica's lease and share of each server's budget")
    public ReplicaLeases.View replicas() {
        return leases.view();
    }

    /**
     * Evicts the tenant's pool on every live replica. A tenant with no pool anywhere is no error
     * ({@code evicted: false}); a key the registry does not know is (404 {@code unknown-tenant}).
     */
    @POST
    @Path("/pools/{tenant}/evict")
    @Operation(operationId = "evictPool",
            summary = "Close one tenant's pool on every live replica (its work finishes first)")
    @APIResponse(responseCode = "200", description = ALL_ACTED, headers = @Header(ref = REPLICA_HEADER),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Evicted.class)))
    @APIResponse(responseCode = "202", description = SOME_PENDING, headers = @Header(ref = REPLICA_HEADER),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Evicted.class)))
    public Uni<Response> evict(@PathParam("tenant") String tenant) {
        if (!TenantKey.isValid(tenant)) {
            throw ProblemException.badRequest("invalid-tenant-key", "not a tenant key: " + tenant);
        }
        return fleet.tenantExists(tenant).chain(exists -> {
            if (!exists) {
                throw ProblemException.notFound("unknown-tenant", "no tenant " + tenant);
            }
            return fleet.perform(AdminAction.EVICT, tenant);
        }).map(outcome -> {
            List<ReplicaEvicted> replicas = outcome.acted().entrySet().stream()
                    .map(e -> new ReplicaEvicted(e.getKey(), e.getValue().getBoolean("evicted", false))).toList();
            return answer(outcome, new Evicted(tenant, replicas.stream().anyMatch(ReplicaEvicted::evicted), replicas,
                    outcome.pending(), outcome.gone()));
        });
    }

    @POST
    @Path("/pools/evict-idle")
    @Operation(operationId = "evictIdlePools",
            summary = "Close every idle connection and unused pool now, on every live replica")
    @APIResponse(responseCode = "200", description = ALL_ACTED, headers = @Header(ref = REPLICA_HEADER),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = IdleEvicted.class)))
    @APIResponse(responseCode = "202", description = SOME_PENDING, headers = @Header(ref = REPLICA_HEADER),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = IdleEvicted.class)))
    public Uni<Response> evictIdle() {
        return fleet.perform(AdminAction.EVICT_IDLE, null).map(outcome -> {
            List<ReplicaIdleEvicted> replicas = outcome.acted().entrySet().stream()
                    .map(e -> new ReplicaIdleEvicted(e.getKey(), tenants(e.getValue().getJsonArray("evicted"))))
                    .toList();
            List<String> evicted = replicas.stream().flatMap(r -> r.evicted().stream()).distinct().sorted().toList();
            return answer(outcome, new IdleEvicted(evicted, evicted.size(), replicas, outcome.pending(),
                    outcome.gone()));
        });
    }

    private static List<String> tenants(JsonArray array) {
        return array == null ? List.of() : array.stream().map(String::valueOf).toList();
    }

    /** 200 when every live replica acted; 202 (accepted, not yet done everywhere) when some are pending. */
    private Response answer(FleetActions.Outcome outcome, Object body) {
        return Response.status(outcome.pending().isEmpty() ? Response.Status.OK : Response.Status.ACCEPTED)
                .entity(body).header(REPLICA_HEADER, fleet.replicaId()).build();
    }

    private Response fromThisReplica(Object body) {
        return Response.ok(body).header(REPLICA_HEADER, fleet.replicaId()).build();
    }
}
