package io.tenantgate.governor;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.platform.failure.UnsupportedServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Proves that the live pools can serve a tenant before it is stored: one connection made exactly
 * as a pool makes it ({@link Connector}: the same client, TLS, client certificate and session
 * set-up), one statement, closed. Migrations prove the credentials over JDBC, a different client;
 * a tenant whose migrations pass but whose pool cannot connect must be refused with a 422, not
 * stored to answer every request with an error. It runs before the migrations, so a database the
 * pool cannot reach is not migrated either.
 *
 * <p>The connection is a physical connection to the tenant's server like any other, so it takes a
 * permit of the server's budget first (waiting at most the acquire timeout) and gives it back,
 * after the same grace as pooled connections, on every path.
 */
@ApplicationScoped
public class ConnectionProof {

    private final ServerBudgets budgets;
    private final Connector connector;
    private final Vertx vertx;
    private final TenantPoolOptions options;
    private final long permitWaitMillis;
    private final long connectTimeoutMillis;

    ConnectionProof(ServerBudgets budgets, Connector connector, Vertx vertx, PoolConfig config,
                    TenantPoolOptions options) {
        this.budgets = budgets;
        this.options = options;
        this.connector = connector;
        this.vertx = vertx;
        this.permitWaitMillis = config.acquireTimeout().toMillis();
        this.connectTimeoutMillis = Math.max(1, config.connectTimeout().toMillis());
    }

    /**
     * Completes when a live connection to the route was made and answered; fails with the reason it
     * was not. The outcome is emitted on the caller's Vert.x context (the request's, where the
     * registry's session lives), not on the connection's.
     */
    public Uni<Void> prove(TenantRoute route) {
        return Uni.createFrom().emitter(emitter -> {
            Context caller = Vertx.currentContext();
            proveOnce(route).onComplete(done -> CallerContext.emit(caller, emitter, null, done.cause()));
        });
    }

    private Future<Void> proveOnce(TenantRoute route) {
        ServerBudget budget = budgets.use(route.server());
        String holder = route.key(); // as the migrations' permits are held: the tenant's, for heldBy()
        return budget.acquire(holder, permitWaitMillis)
                .compose(permit -> connector.connect(route)
                        .compose(connection -> answerAndClose(route, connection))
                        .eventually(() -> {
                            vertx.setTimer(Math.max(1, budgets.releaseGraceMillis()), id -> budget.release(holder, 1));
                            return Future.succeededFuture();
                        }))
                .eventually(() -> {
                    budgets.unuse(budget);
                    return Future.succeededFuture();
                });
    }

    /**
     * One statement, then the protocol's quit. A server that logs in and then says nothing gets as
     * long as a connect may take ({@code connect-timeout}), then the connection is closed, which
     * fails the statement: an admin request never waits on it longer. Through a transaction-mode
     * PgBouncer the statement reads the settings the server must give the tenant's role
     * ({@link TenantPoolOptions#transactionModeSettings}), and a missing or larger one refuses the tenant.
     */
    private Future<Void> answerAndClose(TenantRoute route, SqlConnection connection) {
        long timer = vertx.setTimer(connectTimeoutMillis, id -> connection.close());
        Map<String, Long> required = options.transactionModeSettings(route);
        Future<Void> answered = required.isEmpty()
                ? connection.preparedQuery("SELECT 1").execute().mapEmpty()
                : connection.preparedQuery("SELECT name, setting::bigint FROM pg_settings WHERE name = ANY($1)")
                        .execute(Tuple.of(required.keySet().toArray(String[]::new)))
                        .compose(rows -> checkServerSettings(route, required, rows));
        return answered.eventually(() -> {
            vertx.cancelTimer(timer);
            return connection.close();
        });
    }

    private static Future<Void> checkServerSettings(TenantRoute route, Map<String, Long> required, RowSet<Row> rows) {
        Map<String, Long> actual = new HashMap<>();
        rows.forEach(row -> actual.put(row.getString(0), row.getLong(1)));
        List<String> wrong = new ArrayList<>();
        required.forEach((name, most) -> {
            long value = actual.getOrDefault(name, 0L);
            if (value <= 0 || value > most) {
                wrong.add(name + " is " + value + "ms, must be 1 to " + most + "ms");
            }
        });
        if (wrong.isEmpty()) {
            return Future.succeededFuture();
        }
        StringBuilder fix = new StringBuilder();
        required.forEach((name, most) -> fix.append(" ALTER ROLE \"").append(route.username()).append("\" SET ")
                .append(name).append(" = ").append(most).append(';'));
        return Future.failedFuture(new UnsupportedServer("through the transaction-mode PgBouncer at "
                + route.server() + " tenantgate cannot set session settings, so the server must give them to the"
                + " tenant's role, and " + String.join("; ", wrong) + ": on the server, run" + fix
                + " then RECONNECT on PgBouncer's admin console, since the server connections it holds keep the"
                + " old settings (this attempt left one)"));
    }
}
