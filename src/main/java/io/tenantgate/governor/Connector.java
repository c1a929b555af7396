package io.tenantgate.governor;

import io.smallrye.common.vertx.VertxContext;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.tls.DatabaseTls;
import io.tenantgate.governor.tls.TlsAttempt;
import io.tenantgate.platform.failure.ConnectTimeout;
import io.tenantgate.platform.failure.TlsFailures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLAuthOptions;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Opens, moves and closes the governor's physical connections, with Vert.x's public
 * single-connection API ({@link PgConnection#connect}, {@link MySQLConnection#connect},
 * {@link MySQLConnection#changeUser}), for both kinds side by side.
 *
 * <ul>
 *   <li>A connect runs on the caller's event loop (its root context, so the connection carries no
 *       request's context), and is bounded as a whole, TCP, TLS and authentication together, by
 *       {@code tenantgate.pool.connect-timeout}: Vert.x's own connect timeout covers TCP only, and a
 *       frozen server that accepts and never authenticates would hold a budget permit for good. A
 *       connect that completes after its deadline is closed at once.</li>
 *   <li>MySQL session settings are applied with prepared statements, never text queries
 *       ({@link MySqlStatements}), after every connect and every move.</li>
 *   <li>A move to another tenant of the same MySQL server resets the connection first, which also
 *       clears Vert.x's prepared-statement cache (a {@code changeUser} alone keeps it, and every
 *       cached statement would then fail with error 1243), then changes user and database, then
 *       applies the session settings again.</li>
 *   <li>Closing is the protocol's own quit ({@code close()}), so servers log no aborted connection.
 *       A connection whose statement was abandoned asks PostgreSQL to cancel it first, so the quit
 *       is not stuck behind it; MySQL's server-side statement timeout bounds the same wait there.</li>
 * </ul>
 */
@ApplicationScoped
class Connector {

    private static final Logger LOG = Logger.getLogger(Connector.class);

    private final Vertx vertx;
    private final TenantPoolOptions options;
    private final DatabaseTls databaseTls;
    private final long connectTimeoutMillis;

    Connector(Vertx vertx, TenantPoolOptions options, PoolConfig config, DatabaseTls databaseTls) {
        this.vertx = vertx;
        this.options = options;
        this.databaseTls = databaseTls;
        this.connectTimeoutMillis = Math.max(1, config.connectTimeout().toMillis());
    }

    /** A new connection for the route, set up for it; fails if not done within the connect timeout. */
    Future<SqlConnection> connect(TenantRoute route) {
        return connect(route, answered -> { });
    }

    /** How a connect that failed with {@link ConnectTimeout} ended after all. */
    interface LateEnd {
        /** {@code answered}: it completed, or the server sent an error: the server answers again. */
        void ended(boolean answered);
    }

    /**
     * As {@link #connect(TenantRoute)}; {@code late} learns how a connect that timed out ended
     * after all (the stall detector's cue that a frozen server answers again). Vert.x offers no way
     * to abandon a connect in progress, so it is left to end by itself, and closed if it succeeds.
     */
    Future<SqlConnection> connect(TenantRoute route, LateEnd late) {
        Promise<SqlConnection> result = Promise.promise();
        Context current = Vertx.currentContext();
        Context home = current == null ? vertx.getOrCreateContext() : VertxContext.getRootContext(current);
        AtomicBoolean settled = new AtomicBoolean();
        long timer = vertx.setTimer(connectTimeoutMillis, id -> {
            if (settled.compareAndSet(false, true)) {
                result.fail(new ConnectTimeout(route.server(), connectTimeoutMillis));
            }
        });
        home.runOnContext(v -> open(route).compose(connection -> setUp(route, connection)
                        .map(ignored -> connection)
                        .recover(failure -> {
                            connection.close();
                            return Future.failedFuture(failure);
                        }))
                .onComplete(done -> {
                    vertx.cancelTimer(timer);
                    if (settled.compareAndSet(false, true)) {
                        if (done.succeeded()) {
                            result.complete(done.result());
                        } else {
                            result.fail(done.cause());
                        }
                    } else {
                        if (done.succeeded()) {
                            LOG.debugf("a connect to %s finished after its deadline; closing it", route.server());
                            done.result().close();
                        }
                        late.ended(done.succeeded() || isAnswer(done.cause()));
                    }
                }));
        return result.future();
    }

    /**
     * A failure that is an answer from the server's host: an error the server sent, a refused
     * connect (nothing listens), a TLS handshake that failed. A timeout or a socket that went
     * silent is not.
     */
    static boolean isAnswer(Throwable failure) {
        if (TlsFailures.isTlsFailure(failure)) {
            return true; // a handshake the server took part in, or its refusal of one
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.vertx.pgclient.PgException || t instanceof io.vertx.mysqlclient.MySQLException
                    || (t instanceof java.net.ConnectException && String.valueOf(t.getMessage()).contains("refused"))) {
                return true;
            }
        }
        return false;
    }

    private Future<SqlConnection> open(TenantRoute route) {
        TlsAttempt tls = databaseTls.attempt(route.server(), route.tlsMode());
        Future<SqlConnection> opened = switch (route.kind()) {
            case POSTGRESQL -> PgConnection.connect(vertx, (PgConnectOptions) options.connectOptions(route, tls))
                    .map(connection -> (SqlConnection) connection);
            case MYSQL -> MySQLConnection.connect(vertx, (MySQLConnectOptions) options.connectOptions(route, tls))
                    .map(connection -> (SqlConnection) connection);
        };
        return opened.recover(failure -> Future.failedFuture(TlsFailures.withRejection(failure, route.server(),
                tls.rejection().orElse(null))));
    }

    /**
     * The session settings tenantgate keeps on every connection: a statement on MySQL and through a
     * session-mode PgBouncer; a PostgreSQL server gets them at start-up ({@link TenantPoolOptions.Front}).
     */
    private Future<Void> setUp(TenantRoute route, SqlConnection connection) {
        if (route.kind() == DatabaseKind.MYSQL) {
            return setUpMySql(connection);
        }
        String setup = options.postgresSessionSetup(route);
        return setup == null ? Future.succeededFuture() : connection.preparedQuery(setup).execute().mapEmpty();
    }

    private Future<Void> setUpMySql(SqlConnection connection) {
        String setup = options.mysqlSessionSetup(MySqlStatements.isMariaDb(connection));
        if (setup == null) {
            return Future.succeededFuture();
        }
        return connection.preparedQuery(setup).execute().mapEmpty();
    }

    /**
     * Gives an open MySQL connection to another tenant of the same server: reset (statement cache
     * cleared), change user and database, session settings applied again.
     */
    Future<Void> move(SqlConnection connection, TenantRoute to) {
        MySQLConnection mysql = MySQLConnection.cast(connection);
        MySQLAuthOptions auth = new MySQLAuthOptions()
                .setUser(to.username())
                .setPassword(to.password())
                .setDatabase(to.database())
                .setCharset(TenantPoolOptions.MYSQL_CHARSET)
                .setCollation(TenantPoolOptions.MYSQL_COLLATION);
        return mysql.resetConnection()
                .compose(v -> mysql.changeUser(auth))
                .compose(v -> setUpMySql(connection));
    }

    /**
     * The protocol's quit; after an abandoned statement, a PostgreSQL server is asked to cancel it
     * first. Not through PgBouncer: 1.18 (Debian 12's) crashes when a cancel request's connection
     * ends before it has forwarded it, as every client's does; there the server's statement
     * timeout ends the statement. Completes when the connection is closed (also when it already was).
     */
    Future<Void> close(SqlConnection connection, DatabaseKind kind, String server, boolean abandoned) {
        if (abandoned && kind == DatabaseKind.POSTGRESQL && !options.isPgBouncer(server)) {
            PgConnection.cast(connection).cancelRequest().onFailure(failure ->
                    LOG.debugf("cancelling an abandoned statement failed: %s", failure.toString()));
        }
        return connection.close().onFailure(failure -> LOG.debugf("closing a connection failed: %s", failure.toString()));
    }
}
