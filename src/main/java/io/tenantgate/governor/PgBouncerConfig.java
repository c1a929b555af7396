package io.tenantgate.governor;

import io.smallrye.config.ConfigMapping;

import java.util.List;
import java.util.Optional;

/**
 * The PostgreSQL addresses ({@code host:port}) that are PgBouncers, by their {@code pool_mode}.
 * tenantgate cannot tell a PgBouncer from a server by talking to it, and it must talk to one
 * differently (see {@link TenantPoolOptions.Front}); an address listed in neither is a server.
 */
@ConfigMapping(prefix = "tenantgate.pgbouncer")
public interface PgBouncerConfig {

    /**
     * PgBouncers with {@code pool_mode = session}: a client keeps one server connection for as long
     * as it is connected, so tenantgate sets its session settings with one statement after connecting.
     */
    Optional<List<String>> sessionMode();

    /**
     * PgBouncers with {@code pool_mode = transaction}: each transaction may run on another server
     * connection, so tenantgate prepares no named statements there and sets nothing per session;
     * the statement timeouts must be set on the server for the tenant's role, which adding a tenant checks.
     */
    Optional<List<String>> transactionMode();
}
