package io.tenantgate.control.admin;

import io.tenantgate.control.health.HealthConfig;
import io.tenantgate.control.registry.TenantKey;
import io.tenantgate.governor.GovernorStats;
import io.tenantgate.governor.ReplicaLeases;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.platform.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The operator's view of the governor: every live pool, every server's budget with plain advice,
 * and levers to drain pools. Only tokens with group {@code operator}; tenant users get 403.
 * Evicting drains: admitted work finishes, then the pool closes; the tenant's next request builds
 * a new pool.
 */
@Path("/admin")
@RolesAllowed("operator")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Pools")
public class AdminPoolsResource {

    private final TenantPools pools;
    private final ReplicaLeases leases;
    private final ServerAdvice advice;

    public AdminPoolsResource(TenantPools pools, ReplicaLeases leases, HealthConfig health) {
        this.pools = pools;
        this.leases = leases;
        this.advice = new ServerAdvice(health);
    }

    /** One live pool as the operator sees it. */
    public record PoolView(String tenant, String server, int open, int inUse, int idle, int waiting, int max,
                           long idleSeconds, Instant lastUsed, long uses, String breaker) {
    }

    /** The answer to evicting one tenant's pool. */
    public record Evicted(String tenant, boolean evicted) {
    }

    /** The tenants whose pools were closed because idle, and how many. */
    public record IdleEvicted(List<String> evicted, int count) {
    }

    @GET
    @Path("/pools")
    @Operation(operationId = "listPools", summary = "Every live tenant pool and its connections")
    public List<PoolView> pools() {
        Instant now = Instant.now();
        return pools.snapshot().tenants().stream()
                .map(t -> new PoolView(t.tenant(), t.server(), t.open(), t.inUse(), t.idle(), t.waiting(), t.max(),
                        t.inUse() > 0 ? 0 : Duration.between(t.lastUsed(), now).toSeconds(), t.lastUsed(), t.uses(),
                        t.breaker()))
                .toList();
    }

    @GET
    @Path("/servers")
    @Operation(operationId = "listServers", summary = "Every database server: budget, use, saturation, hand-overs, advice")
    public List<ServerAdvice.ServerView> servers() {
        GovernorStats stats = pools.snapshot();
        ReplicaLeases.View view = leases.view();
        return stats.servers().stream().map(server -> advice.of(server, stats.tenants(), view)).toList();
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

    @POST
    @Path("/pools/{tenant}/evict")
    @Operation(operationId = "evictPool", summary = "Close one tenant's pool (its work finishes first)")
    public Evicted evict(@PathParam("tenant") String tenant) {
        if (!TenantKey.isValid(tenant)) {
            throw ProblemException.badRequest("invalid-tenant-key", "not a tenant key: " + tenant);
        }
        if (!pools.evict(tenant)) {
            throw ProblemException.notFound("no-live-pool", "tenant " + tenant + " has no live pool");
        }
        return new Evicted(tenant, true);
    }

    @POST
    @Path("/pools/evict-idle")
    @Operation(operationId = "evictIdlePools", summary = "Close every idle connection and unused pool now")
    public IdleEvicted evictIdle() {
        List<String> evicted = pools.evictIdle();
        return new IdleEvicted(evicted, evicted.size());
    }
}
