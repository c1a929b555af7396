package io.tenantgate.governor;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.route.TenantRoute;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

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
    private final long permitWaitMillis;
    private final long connectTimeoutMillis;

    ConnectionProof(ServerBudgets budgets, Connector connector, Vertx vertx, PoolConfig config) {
        this.budgets = budgets;
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
                        .compose(this::answerAndClose)
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
     * fails the statement: an admin request never waits on it longer.
     */
    private Future<Void> answerAndClose(SqlConnection connection) {
        long timer = vertx.setTimer(connectTimeoutMillis, id -> connection.close());
        return connection.preparedQuery("SELECT 1").execute()
                .<Void>mapEmpty()
                .eventually(() -> {
                    vertx.cancelTimer(timer);
                    return connection.close();
                });
    }
}
