package io.tenantgate.governor;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the governor holds right now, per database server and per live tenant pool. Read from
 * counters without stopping anything, so figures taken a few microseconds apart may disagree by one.
 *
 * @param servers one entry per server this instance has talked to
 * @param tenants one entry per live tenant pool
 */
public record GovernorStats(List<ServerStats> servers, List<TenantStats> tenants) {

    /**
     * @param open       connections held (permits granted), in use or idle
     * @param waiting    connections wanted by tenants waiting for this server's budget
     * @param budget     this instance's share of the server's budget
     * @param saturation {@code open / budget}
     * @param rejected   requests answered {@code server-budget-exhausted} since start
     * @param moved      connections handed to another tenant with {@code changeUser} since start
     * @param reconnected hand-overs done by closing a connection and connecting for the next tenant
     * @param connects   physical connects started since start
     * @param health     {@code HEALTHY}, {@code SUSPECT} (no reply for the stall threshold, a probe
     *                   runs) or {@code STALLED} (its tenants are answered {@code tenant-database-stalled})
     * @param stalls     times the server was found stalled since start
     * @param refusals   requests answered with each of this server's refusals since start, by problem type
     */
    public record ServerStats(String server, int open, int inUse, int idle, int waiting, int budget,
                              double saturation, long rejected, long moved, long reconnected, long connects,
                              String health, long stalls, Map<String, Long> refusals) {
    }

    /**
     * @param waiting requests admitted to the pool and still waiting for a connection
     * @param max     the tenant's pool limit
     * @param breaker the tenant's circuit breaker: {@code CLOSED}, {@code OPEN} or {@code HALF_OPEN}
     * @param lastFailure the last failure its breaker counted, in a few words ({@code null} if none)
     */
    public record TenantStats(String tenant, String server, int open, int inUse, int idle, int waiting, int max,
                              double saturation, Instant createdAt, Instant lastUsed, long uses, String breaker,
                              String lastFailure) {
    }
}
