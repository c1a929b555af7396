package io.tenantgate.platform.failure;

import io.vertx.core.VertxException;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ConnectException;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The classification table: which failures are retried, for both kinds, code by code. */
class DatabaseFailuresTest {

    private static MySQLException mysql(int code) {
        return new MySQLException("error " + code, code, "HY000");
    }

    private static PgException pg(String sqlState) {
        return new PgException("error " + sqlState, "ERROR", sqlState, null);
    }

    @ParameterizedTest
    @ValueSource(ints = {1040, 1053, 1205, 1213, 1927, 2002, 2003, 2006, 2013})
    void everyListedMysqlCodeIsTransientAndRetriedForRepeatableWork(int code) {
        assertTrue(DatabaseFailures.isTransient(mysql(code)));
        assertTrue(DatabaseFailures.isRetryable(mysql(code), Idempotence.REPEATABLE));
        // Wrapped the way Hibernate Reactive and Vert.x wrap causes: still found.
        assertTrue(DatabaseFailures.isTransient(new VertxException("wrapped", mysql(code))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"53300", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08006", "40001", "40P01"})
    void everyListedPostgresStateIsTransientAndRetriedForRepeatableWork(String state) {
        assertTrue(DatabaseFailures.isTransient(pg(state)));
        assertTrue(DatabaseFailures.isRetryable(pg(state), Idempotence.REPEATABLE));
        assertTrue(DatabaseFailures.isTransient(new VertxException("wrapped", pg(state))));
    }

    @ParameterizedTest
    @ValueSource(ints = {1062, 1064, 1142, 1044, 1146, 1054})
    void constraintSyntaxAndPermissionErrorsOnMysqlAreNeverRetried(int code) {
        assertFalse(DatabaseFailures.isTransient(mysql(code)));
        assertFalse(DatabaseFailures.isRetryable(mysql(code), Idempotence.REPEATABLE));
        assertFalse(DatabaseFailures.isRetryable(mysql(code), Idempotence.ONCE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"23505", "23503", "42601", "42501", "42P01", "22001"})
    void constraintSyntaxAndPermissionErrorsOnPostgresAreNeverRetried(String state) {
        assertFalse(DatabaseFailures.isTransient(pg(state)));
        assertFalse(DatabaseFailures.isRetryable(pg(state), Idempotence.REPEATABLE));
        assertFalse(DatabaseFailures.isRetryable(pg(state), Idempotence.ONCE));
    }

    @Test
    void lostConnectionsAreTransientButNotRepeatedForWritesWithoutAKey() {
        Throwable[] lost = {ClosedConnectionException.INSTANCE, new SocketException("Connection reset"),
                new VertxException("Pending requests failed to be sent due to connection has been closed.", true)};
        for (Throwable failure : lost) {
            assertTrue(DatabaseFailures.isTransient(failure), failure.toString());
            assertTrue(DatabaseFailures.isRetryable(failure, Idempotence.REPEATABLE), failure.toString());
            // The write may have committed before the connection went: repeating could do it twice.
            assertFalse(DatabaseFailures.isRetryable(failure, Idempotence.ONCE), failure.toString());
        }
        for (String state : new String[] {"57P01", "57P02", "08003", "08006", "08000"}) {
            assertFalse(DatabaseFailures.isRetryable(pg(state), Idempotence.ONCE), state);
        }
        for (int code : new int[] {2006, 2013}) {
            assertFalse(DatabaseFailures.isRetryable(mysql(code), Idempotence.ONCE), Integer.toString(code));
        }
    }

    @Test
    void failuresThatProveNothingRanAreRepeatedEvenForWritesWithoutAKey() {
        Throwable[] noEffect = {new ConnectException("Connection refused"), mysql(1040), mysql(1213), mysql(1205),
                mysql(2002), mysql(2003), pg("53300"), pg("57P03"), pg("08001"), pg("40001"), pg("40P01")};
        for (Throwable failure : noEffect) {
            assertTrue(DatabaseFailures.isRetryable(failure, Idempotence.ONCE), failure.toString());
        }
    }

    @Test
    void constraintViolationsAreToldApartOnBothKindsEvenWhenWrapped() {
        assertTrue(DatabaseFailures.isUniqueViolation(pg("23505")));
        assertTrue(DatabaseFailures.isUniqueViolation(new IllegalStateException("wrapped", mysql(1062))));
        assertTrue(DatabaseFailures.isForeignKeyViolation(pg("23503")));
        assertTrue(DatabaseFailures.isForeignKeyViolation(new IllegalStateException("wrapped", mysql(1452))));
        assertFalse(DatabaseFailures.isUniqueViolation(pg("23503")), "a foreign key is not a duplicate");
        assertFalse(DatabaseFailures.isForeignKeyViolation(mysql(1062)), "a duplicate is not a missing parent");
        assertFalse(DatabaseFailures.isForeignKeyViolation(new ConnectException("Connection refused")));
    }

    @Test
    void statementTimeoutsOfEveryKindAreRecognisedAndNeverRetried() {
        for (Throwable failure : new Throwable[] {mysql(1969), mysql(3024), pg("57014")}) {
            assertTrue(DatabaseFailures.isStatementTimeout(failure), failure.toString());
            assertFalse(DatabaseFailures.isRetryable(failure, Idempotence.REPEATABLE), failure.toString());
            assertTrue(DatabaseFailures.countsAgainstTenant(failure), failure.toString());
        }
        assertFalse(DatabaseFailures.isStatementTimeout(mysql(1205)), "a lock wait is not a statement timeout");
    }

    @Test
    void onlyFailuresOfTheTenantsDatabaseCountAgainstItsBreaker() {
        assertTrue(DatabaseFailures.countsAgainstTenant(new ConnectException("Connection refused")));
        assertTrue(DatabaseFailures.countsAgainstTenant(pg("57P01")));
        assertTrue(DatabaseFailures.countsAgainstTenant(new DeadlineExceeded("slow", true)), "the database took the time");
        assertTrue(DatabaseFailures.countsAgainstTenant(pg("28P01")), "rejected credentials");
        assertTrue(DatabaseFailures.countsAgainstTenant(mysql(1045)), "rejected credentials");

        // Overload is answered 503 but is no evidence against the tenant's database.
        assertFalse(DatabaseFailures.countsAgainstTenant(new DeadlineExceeded("queued", false)),
                "the time went waiting for a connection");
        assertFalse(DatabaseFailures.countsAgainstTenant(
                new GovernorRejection(GovernorRejection.Reason.ACQUIRE_TIMEOUT, "busy")), "its own queue");
        assertFalse(DatabaseFailures.countsAgainstTenant(
                new GovernorRejection(GovernorRejection.Reason.DATABASE_STALLED, "stalled")), "the server's stall");
        assertFalse(DatabaseFailures.countsAgainstTenant(pg("53300")), "the server's slots are the budget's business");
        assertFalse(DatabaseFailures.countsAgainstTenant(mysql(1040)));

        assertFalse(DatabaseFailures.countsAgainstTenant(mysql(1062)), "a duplicate is the caller's");
        assertFalse(DatabaseFailures.countsAgainstTenant(pg("23505")));
        assertFalse(DatabaseFailures.countsAgainstTenant(pg("42601")), "a syntax error is ours, not the database's");
        assertFalse(DatabaseFailures.countsAgainstTenant(pg("40P01")), "contention is not ill health");
        assertFalse(DatabaseFailures.countsAgainstTenant(mysql(1213)));
        assertFalse(DatabaseFailures.countsAgainstTenant(
                new GovernorRejection(GovernorRejection.Reason.SERVER_BUDGET_EXHAUSTED, "others")));
        assertFalse(DatabaseFailures.countsAgainstTenant(
                new GovernorRejection(GovernorRejection.Reason.TENANT_QUEUE_FULL, "full")));
        assertFalse(DatabaseFailures.countsAgainstTenant(
                io.tenantgate.platform.problem.ProblemException.notFound("customer-not-found", "none")));
    }
}
