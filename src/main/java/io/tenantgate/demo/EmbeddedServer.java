package io.tenantgate.demo;

import io.tenantgate.registry.DatabaseKind;

/**
 * A real database server started in-process for tests and the demo, never in production.
 *
 * <p>Every server listens on a free loopback port and lives in its own directories under
 * {@code target/}, so parallel runs never share state. Implementations create non-privileged
 * users: privileged MySQL users get an extra reserved connection slot, which would hide
 * connection-budget bugs.
 */
public interface EmbeddedServer extends AutoCloseable {

    DatabaseKind kind();

    String host();

    int port();

    /** Creates a database owned by a new non-privileged user that can log in with the password. */
    void createDatabase(String database, String user, String password);

    /** Runs administrative SQL as the superuser, e.g. to count connections from the server's side. */
    long queryLong(String sql);

    /** Like {@link #queryLong(String)}, inside one database. */
    long queryLong(String database, String sql);

    @Override
    void close();
}
