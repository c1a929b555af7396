package io.tenantgate.governor;

import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.impl.Connection;
import io.vertx.sqlclient.impl.SocketConnectionBase;
import io.vertx.sqlclient.impl.SqlConnectionInternal;

/**
 * Reaches under a pooled Vert.x SQL connection to close its TCP socket at once.
 *
 * <p>Closing a pooled connection through the public API gives it back to the pool; closing a
 * physical one queues a "terminate" command behind whatever is running. Neither stops a
 * connection whose statement will not answer (a hung server, a cancelled slow query). Vert.x
 * 4.5 exposes the layers as public types of its {@code impl} packages: the connection handed out
 * wraps the pool's {@code PooledConnection}, which wraps the {@link SocketConnectionBase} that
 * owns the socket. Closing the socket fails the running command, fires the close handlers, and
 * the pool drops the connection. If a Vert.x upgrade changes these layers, {@link #canCloseSocket}
 * says so and callers fall back to the public close (bounded by the server's statement timeout);
 * a test of the hung-server case fails loudly.
 */
final class PhysicalConnections {

    private PhysicalConnections() {
    }

    static boolean canCloseSocket(SqlConnection connection) {
        return physical(connection) != null;
    }

    static void closeSocket(SqlConnection connection) {
        SocketConnectionBase physical = physical(connection);
        if (physical != null) {
            physical.socket().close();
        }
    }

    private static SocketConnectionBase physical(SqlConnection connection) {
        if (!(connection instanceof SqlConnectionInternal internal)) {
            return null;
        }
        Connection layer = internal.unwrap();
        for (int depth = 0; layer != null && depth < 3; depth++) {
            if (layer instanceof SocketConnectionBase socket) {
                return socket;
            }
            Connection inner = layer.unwrap();
            if (inner == layer) {
                return null;
            }
            layer = inner;
        }
        return null;
    }
}
