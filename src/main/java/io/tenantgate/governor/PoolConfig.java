package io.tenantgate.governor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Limits of each tenant's connection pool. Every wait is bounded. */
@ConfigMapping(prefix = "tenantgate.pool")
public interface PoolConfig {

    /** Connections one tenant may hold open at once, unless its registry entry says otherwise. */
    @WithDefault("4")
    int maxSize();

    /**
     * Requests that may wait for a tenant's connection; past it they fail at once with
     * {@code tenant-queue-full}. Deep enough that a busy tenant's requests wait their turn (each
     * wait is still bounded by the acquire timeout) rather than turn into 503s that clients repeat
     * at once; the HTTP connection limit bounds all waiters together.
     */
    @WithDefault("256")
    int maxWaitQueue();

    /** Longest a request waits for a connection from its tenant's pool. */
    @WithDefault("2s")
    Duration acquireTimeout();

    /** Longest a TCP connect plus handshake to a tenant database may take. */
    @WithDefault("5s")
    Duration connectTimeout();

    /**
     * Longest a single statement may run on the server before the server itself stops it
     * (PostgreSQL {@code statement_timeout}; MariaDB {@code max_statement_time}; MySQL
     * {@code max_execution_time}, which MySQL applies to reads only). Set on every tenant connection
     * when it is opened; 0 leaves the server's own setting.
     */
    @WithDefault("5s")
    Duration statementTimeout();

    /**
     * Connections are replaced after this long even when busy with a stream of requests, so pools
     * follow DNS changes and fail-overs and spread over replicas behind one host name. 0 disables.
     */
    @WithDefault("30m")
    Duration maxLifetime();

    /** Idle connections are closed after this long, giving their slot back to the server. */
    @WithDefault("5m")
    Duration idleTimeout();

    /** A tenant pool unused this long is drained, closed and forgotten; the next request makes a new one. */
    @WithDefault("10m")
    Duration poolIdleTimeout();

    /** Tenant pools kept open at once; past it the least recently used pool is drained and closed. */
    @WithDefault("1000")
    int maxLivePools();

    /**
     * While other tenants wait for the server's budget, a connection serves this many requests of
     * its tenant's queue before it is handed on (a tenant within its fair share keeps it as long as
     * it has work): one hand-over, a reconnect on PostgreSQL or a {@code changeUser} on MySQL, then
     * serves a batch instead of one request.
     */
    @WithDefault("8")
    int handoverQuantum();

    /**
     * While others wait, a tenant within its fair share whose queue just emptied keeps its
     * connection this long before it is offered to them: its client's next request usually comes
     * within a round trip, and a hand-over costs a reconnect on PostgreSQL. 0 hands it on at once.
     */
    @WithDefault("5ms")
    Duration handoverLinger();

    /**
     * A tenant that already has connections, all busy, waits this long for one of its own before an
     * idle connection of another tenant is closed and reconnected for it (PostgreSQL, or a TLS
     * mismatch): its own connection is usually free within a statement's time, and a reconnect
     * costs milliseconds of CPU on both sides. Moves ({@code changeUser}) and tenants holding no
     * connection do not wait. 0 takes the idle connection at once.
     */
    @WithDefault("10ms")
    Duration handoverPatience();

    /**
     * How long a retired pool (evicted, replaced, suspended tenant, shutdown) may finish the work it
     * already admitted before it is closed regardless.
     */
    @WithDefault("30s")
    Duration drainTimeout();
}
