package io.tenantgate.governor;

import io.smallrye.mutiny.Uni;
import io.tenantgate.observability.StatementLog;
import io.tenantgate.registry.DatabaseKind;
import io.vertx.mutiny.sqlclient.PreparedQuery;
import io.vertx.mutiny.sqlclient.Query;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.util.List;

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
        return new PreparedQuery<>(query.getDelegate(), query.__typeArg_0) {
            @Override
            public Uni<RowSet<Row>> execute() {
                return log.statement(caller, sql, super.execute());
            }

            @Override
            public Uni<RowSet<Row>> execute(Tuple tuple) {
                return log.statement(caller, sql, super.execute(tuple));
            }

            @Override
            public Uni<RowSet<Row>> executeBatch(List<Tuple> batch) {
                return log.statement(caller, sql, super.executeBatch(batch));
            }
        };
    }

    @Override
    public Query<RowSet<Row>> query(String sql) {
        if (!textQueries) {
            return preparedQuery(sql);
        }
        Query<RowSet<Row>> query = super.query(sql);
        return new Query<>(query.getDelegate(), query.__typeArg_0) {
            @Override
            public Uni<RowSet<Row>> execute() {
                return log.statement(caller, sql, super.execute());
            }
        };
    }
}
