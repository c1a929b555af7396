package io.tenantgate.governor;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.vertx.AsyncResultUni;
import io.smallrye.mutiny.vertx.TypeArg;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.platform.observability.StatementLog;
import io.vertx.core.Future;
import io.vertx.mutiny.sqlclient.PreparedQuery;
import io.vertx.mutiny.sqlclient.Query;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.util.List;
import java.util.function.Supplier;

/**
 * The connection feature code is handed: the same Vert.x connection, with every statement timed
 * and, when slow, logged by its SQL text ({@link StatementLog}). Only the statement entry points
 * tenant code uses ({@code query}, {@code preparedQuery}) are observed. On MySQL-protocol
 * connections {@code query} runs as a prepared statement: no text query is ever sent there
 * ({@link MySqlStatements}).
 */
final class ObservedConnection extends SqlConnection {

    private final StatementLog log;
    private final StatementLog.Caller caller;

    private final boolean textQueries;

    ObservedConnection(SqlConnection connection, DatabaseKind kind, StatementLog log, StatementLog.Caller caller) {
        super(connection.getDelegate());
        this.log = log;
        this.caller = caller;
        this.textQueries = kind != DatabaseKind.MYSQL;
    }

    @Override
    public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
        PreparedQuery<RowSet<Row>> query = super.preparedQuery(sql);
        io.vertx.sqlclient.PreparedQuery<io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row>> core = query.getDelegate();
        return new PreparedQuery<>(core, query.__typeArg_0) {
            @Override
            public Uni<RowSet<Row>> execute() {
                return observed(sql, query.__typeArg_0, core::execute);
            }

            @Override
            public Uni<RowSet<Row>> execute(Tuple tuple) {
                return observed(sql, query.__typeArg_0, () -> core.execute(tuple.getDelegate()));
            }

            @Override
            public Uni<RowSet<Row>> executeBatch(List<Tuple> batch) {
                List<io.vertx.sqlclient.Tuple> tuples = batch.stream().map(Tuple::getDelegate).toList();
                return observed(sql, query.__typeArg_0, () -> core.executeBatch(tuples));
            }
        };
    }

    @Override
    public Query<RowSet<Row>> query(String sql) {
        if (!textQueries) {
            return preparedQuery(sql);
        }
        Query<RowSet<Row>> query = super.query(sql);
        io.vertx.sqlclient.Query<io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row>> core = query.getDelegate();
        return new Query<>(core, query.__typeArg_0) {
            @Override
            public Uni<RowSet<Row>> execute() {
                return observed(sql, query.__typeArg_0, core::execute);
            }
        };
    }

    /**
     * The statement as one {@code Uni} over the Vert.x future, timed from subscription to its end:
     * no operator is added per statement, so no context is captured for observing it.
     */
    private Uni<RowSet<Row>> observed(String sql, TypeArg<RowSet<Row>> rows,
                                      Supplier<Future<io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row>>> execution) {
        return AsyncResultUni.toUni(handler -> {
            long start = System.nanoTime();
            execution.get().onComplete(result -> {
                log.finished(caller, sql, System.nanoTime() - start);
                handler.handle(result.map(rows::wrap));
            });
        });
    }
}
