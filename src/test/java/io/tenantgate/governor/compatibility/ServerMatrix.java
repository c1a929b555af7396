package io.tenantgate.governor.compatibility;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.tenantgate.demo.embedded.FreePorts;

import java.util.Map;

/**
 * The application the server-version matrix runs against, once for every server in it: the
 * production defaults (replica leases on) but for a short statement timeout and request deadline (so a long statement
 * and a frozen server are seen within seconds), two connections per server (so a third tenant's
 * request is served by handing a connection over), and two PgBouncer addresses, one per pool mode,
 * declared as {@code docs/configuration.md} says.
 */
public class ServerMatrix implements QuarkusTestProfile {

    static final long STATEMENT_TIMEOUT_MILLIS = 1000;
    static final int REQUEST_DEADLINE_SECONDS = 4;
    static final int CONNECTIONS_PER_SERVER = 2;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                // The production default (the test profile turns leases off): the idle backstop is theirs.
                Map.entry("tenantgate.budget.lease.enabled", "true"),
                Map.entry("tenantgate.pool.statement-timeout", STATEMENT_TIMEOUT_MILLIS + "ms"),
                Map.entry("tenantgate.resilience.request-deadline", REQUEST_DEADLINE_SECONDS + "s"),
                Map.entry("tenantgate.budget.default-per-server", Integer.toString(CONNECTIONS_PER_SERVER)),
                Map.entry("tenantgate.pgbouncer.session-mode", "127.0.0.1:" + FreePorts.next()),
                Map.entry("tenantgate.pgbouncer.transaction-mode", "127.0.0.1:" + FreePorts.next()));
    }
}
