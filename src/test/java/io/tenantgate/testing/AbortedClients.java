package io.tenantgate.testing;

import io.tenantgate.demo.embedded.EmbeddedServer;

/**
 * MariaDB's count of client connections that ended without the protocol's quit (a reset, a close
 * mid-packet): {@code Aborted_clients}, which it logs as "Aborted connection ... Got an error
 * reading communication packets". tenantgate quits every connection it closes, so across any close
 * path the count stays where it was.
 */
public final class AbortedClients {

    private AbortedClients() {
    }

    public static long of(EmbeddedServer mariadb) {
        return mariadb.queryLong(
                "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'ABORTED_CLIENTS'");
    }
}
