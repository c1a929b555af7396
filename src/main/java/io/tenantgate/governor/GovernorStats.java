package io.tenantgate.governor;

import java.time.Instant;
import java.util.List;

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
     * @param rejected   waits that ended in {@code server-budget-exhausted} since start
     * @param moved      connections handed to another tenant with {@code changeUser} since start
     * @param reconnected hand-overs done by closing a connection and connecting for the next tenant
     * @param connects   physical connects started since start
     */
    public record ServerStats(String server, int open, int inUse, int idle, int waiting, int budget,
                              double saturation, long rejected, long moved, long reconnected, long connects) {
    }

    /**
     * @param waiting requests admitted to the pool and still waiting for a connection
     * @param max     the tenant's pool limit
     * @param breaker the tenant's circuit breaker: {@code CLOSED}, {@code OPEN} or {@code HALF_OPEN}
     */
    public record TenantStats(String tenant, String server, int open, int inUse, int idle, int waiting, int max,
                              double saturation, Instant createdAt, Instant lastUsed, long uses, String breaker) {
    }
}
