package io.tenantgate.governor;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.route.DatabaseKind;
import io.vertx.mutiny.sqlclient.SqlConnection;

import java.util.function.Function;

/**
 * One transaction on a tenant connection: committed if the work succeeds, rolled back otherwise,
 * for both kinds side by side.
 *
 * <p>On MySQL-protocol connections no text query is ever sent (see {@link MySqlStatements}), and
 * Vert.x's own {@code begin}/{@code commit}/{@code rollback} are text queries there, so MySQL and
 * MariaDB transactions are bracketed by prepared statements instead. MariaDB (10.6 and later)
 * prepares every statement; MySQL prepares {@code COMMIT}, {@code ROLLBACK} and {@code SET} but not
 * {@code START TRANSACTION} (it answers error 1295), so on MySQL a transaction is
 * {@code SET autocommit = 0}, and {@code SET autocommit = 1} ends it with an implicit commit.
 * PostgreSQL has no such hazard and keeps Vert.x's transaction API.
 */
final class Transactions {

    private Transactions() {
    }

    /** The statements that bracket a transaction on one server product. */
    private record Brackets(String begin, String commit, String rollback, String afterRollback) {
    }

    private static final Brackets MARIADB = new Brackets("START TRANSACTION", "COMMIT", "ROLLBACK", null);
    private static final Brackets MYSQL = new Brackets("SET autocommit = 0", "SET autocommit = 1", "ROLLBACK",
            "SET autocommit = 1");

    static <T> Uni<T> run(SqlConnection connection, DatabaseKind kind, Function<SqlConnection, Uni<T>> work) {
        return switch (kind) {
            case POSTGRESQL -> connection.begin().chain(tx -> work.apply(connection)
                    .call(tx::commit)
                    .onFailure().call(failure -> tx.rollback().onFailure().recoverWithNull()));
            case MYSQL -> bracketed(connection, MySqlStatements.isMariaDb(connection) ? MARIADB : MYSQL, work);
        };
    }

    private static <T> Uni<T> bracketed(SqlConnection connection, Brackets brackets,
                                        Function<SqlConnection, Uni<T>> work) {
        return execute(connection, brackets.begin())
                .chain(() -> Uni.createFrom().deferred(() -> work.apply(connection)))
                .call(() -> execute(connection, brackets.commit()))
                .onFailure().call(failure -> execute(connection, brackets.rollback())
                        .call(() -> brackets.afterRollback() == null ? Uni.createFrom().voidItem()
                                : execute(connection, brackets.afterRollback()))
                        .onFailure().recoverWithNull());
    }

    private static Uni<Void> execute(SqlConnection connection, String sql) {
        return connection.preparedQuery(sql).execute().replaceWithVoid();
    }
}
