package io.tenantgate.governor;

import io.smallrye.mutiny.Uni;
import io.tenantgate.registry.DatabaseKind;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.function.Function;

/**
 * A tenant's pool as the governor hands it out: every borrowed connection is counted, and given
 * back on every path (success, failure, cancellation).
 *
 * <p>Giving back is where fairness acts: if the tenant holds more than its fair share of the
 * server's budget while other tenants wait for it, the connection is retired instead of pooled;
 * and while anyone waits, no connection stays idle (the reaper retires idle ones of any tenant).
 * Vert.x has no public way to drop one pooled connection, so the connection asks the server to
 * close it ({@code pg_terminate_backend(pg_backend_pid())} / {@code KILL CONNECTION_ID()}, both
 * allowed to a non-privileged user on its own session); the pool then forgets it and the budget
 * permit comes back through reconciliation ({@link PoolAccount}), to the neediest waiter.
 */
final class GovernedPool {

    private static final Logger LOG = Logger.getLogger(GovernedPool.class);
    private static final Duration RETIRE_TIMEOUT = Duration.ofSeconds(2);

    private final Pool pool;
    private final PoolAccount account;
    private final String retireSql;
    private final Vertx vertx;

    GovernedPool(Pool pool, PoolAccount account, DatabaseKind kind, Vertx vertx) {
        this.pool = pool;
        this.account = account;
        this.vertx = vertx;
        this.retireSql = switch (kind) {
            case POSTGRESQL -> "SELECT pg_terminate_backend(pg_backend_pid())";
            case MYSQL -> "KILL CONNECTION_ID()";
        };
    }

    Pool pool() {
        return pool;
    }

    PoolAccount account() {
        return account;
    }

    <T> Uni<T> withConnection(Function<SqlConnection, Uni<T>> work) {
        return Uni.createFrom().voidItem().invoke(account::admitted).chain(() -> pool.getConnection().chain(connection -> {
            account.borrowed();
            Uni<T> result;
            try {
                result = work.apply(connection);
            } catch (RuntimeException e) {
                result = Uni.createFrom().failure(e);
            }
            return result.onTermination().call(() -> giveBack(connection,
                    account.budget().shouldYield(account.tenant())));
        })).onTermination().invoke(account::finished);
    }

    <T> Uni<T> withTransaction(Function<SqlConnection, Uni<T>> work) {
        return withConnection(connection -> connection.begin().chain(tx -> work.apply(connection)
                .call(tx::commit)
                .onFailure().call(failure -> tx.rollback().onFailure().recoverWithNull())));
    }

    /** Retires an idle connection while others wait for the server's budget; see {@link TenantPools}. */
    void reapIdle() {
        pool.getConnection()
                .ifNoItem().after(RETIRE_TIMEOUT).fail()
                .chain(connection -> {
                    account.borrowed();
                    return giveBack(connection, account.budget().hasWaiters());
                })
                .subscribe().with(done -> account.reapDone(), failure -> account.reapDone());
    }

    private Uni<Void> giveBack(SqlConnection connection, boolean retire) {
        account.returned();
        if (!retire) {
            return connection.close().onFailure().recoverWithNull();
        }
        LOG.debugf("retiring a connection of tenant %s on %s for tenants waiting for its budget", account.tenant(),
                account.budget().server());
        // The connection must be gone from the pool before it is given back, or the pool could hand
        // the dying connection to the next waiter. Its close handler fires just before the pool
        // drops it, so the give-back waits for the close and then one more tick.
        Uni<Void> closed = Uni.createFrom().emitter(emitter -> connection.closeHandler(() -> emitter.complete(null)));
        return connection.query(retireSql).execute()
                .ifNoItem().after(RETIRE_TIMEOUT).fail()
                .replaceWithVoid()
                .onFailure().recoverWithNull() // the server closing the session mid-reply is the point
                .chain(() -> closed.ifNoItem().after(RETIRE_TIMEOUT).fail())
                .chain(() -> Uni.createFrom().<Void>emitter(emitter -> vertx.setTimer(10, id -> emitter.complete(null))))
                .chain(() -> connection.close().onFailure().recoverWithNull())
                // Its permit returns through reconciliation, like every pooled connection's.
                .onFailure().recoverWithUni(() -> connection.close().onFailure().recoverWithNull());
    }
}
