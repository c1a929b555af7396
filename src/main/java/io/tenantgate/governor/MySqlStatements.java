package io.tenantgate.governor;

import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Why no MySQL-protocol connection of tenantgate ever sends a text query, and the little that
 * follows from it.
 *
 * <p>A MySQL or MariaDB server may answer a text query ({@code COM_QUERY}) with a LOCAL INFILE
 * request naming any file, and the client is expected to send that file. The Vert.x MySQL client
 * (4.5) always advertises {@code CLIENT_LOCAL_FILES} and, on the text-query path, sends whatever
 * file the server names; there is no option to turn that off. A hostile tenant database, or anyone
 * on the path to it, could read any file tenantgate can (its configuration, keys). The binary
 * protocol of prepared statements ({@code COM_STMT_PREPARE}/{@code COM_STMT_EXECUTE}) has no such
 * request, and the client never reads a file there.
 *
 * <p>So on MySQL connections every statement is prepared: feature code's {@code query(..)} is
 * turned into a prepared statement by {@link ObservedConnection}, the governor's own session
 * statements are prepared, and transactions are bracketed by prepared statements
 * ({@link Transactions}) rather than Vert.x's text-query {@code begin}. Statements are cached per
 * connection, so the preparation costs one round trip per connection and statement, not per call.
 * Tenant migrations speak JDBC, where MariaDB Connector/J is told {@code allowLocalInfile=false}.
 */
final class MySqlStatements {

    private MySqlStatements() {
    }

    static boolean isMariaDb(SqlConnection connection) {
        return isMariaDb(connection.getDelegate());
    }

    static boolean isMariaDb(io.vertx.sqlclient.SqlConnection connection) {
        return "MariaDB".equals(connection.databaseMetadata().productName());
    }
}
