package io.tenantgate.tenant.idempotency;

import io.smallrye.mutiny.Uni;
import io.tenantgate.governor.Dialect;
import io.tenantgate.governor.TenantSql;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.platform.failure.DatabaseFailures;
import io.tenantgate.platform.failure.Idempotence;
import io.tenantgate.platform.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Makes a write safe to repeat: the first request with an {@code Idempotency-Key} does the work and
 * stores its response in the tenant's own database, in the same transaction as the work; every
 * repeat gets that response back, never a second effect.
 *
 * <p>Why it holds: the key row is inserted first in the work's transaction. A concurrent repeat's
 * insert waits on the first one's uncommitted row (both PostgreSQL and InnoDB block on a unique
 * key), then fails on the committed key and reads the stored response; if the first rolled back,
 * the repeat's insert goes through and it does the work itself. A lost reply after commit is
 * covered the same way: the retry finds the key. The same key with a different request is a 422.
 * Keys are kept for {@code tenantgate.resilience.idempotency-retention}, then purged.
 */
@ApplicationScoped
public class IdempotencyKeys {

    /** Printable ASCII, as the IETF Idempotency-Key draft expects; bounded like the column. */
    private static final Pattern VALID = Pattern.compile("[\\x21-\\x7E]{1,255}");

    private final TenantSql sql;
    private final Duration retention;

    /** A response as first sent: replayed byte for byte. */
    public record StoredResponse(int status, String location, String body, boolean replayed) {
    }

    /** The work under a key: the response it produced, to store and send. */
    public record Outcome(int status, String location, String body) {
    }

    public IdempotencyKeys(TenantSql sql, IdempotencyConfig config) {
        this.sql = sql;
        this.retention = config.idempotencyRetention();
    }

    /** Checks a client's key; a malformed one is the caller's mistake, answered before any work. */
    public static String validKey(String key) {
        if (!VALID.matcher(key).matches()) {
            throw ProblemException.badRequest("invalid-idempotency-key",
                    "Idempotency-Key must be 1 to 255 printable ASCII characters");
        }
        return key;
    }

    /**
     * Runs {@code work} once per key. {@code request} identifies what was asked (method, path,
     * normalised body), so a key reused for something else is refused.
     */
    public Uni<StoredResponse> once(TenantRoute tenant, String key, String request,
                                    BiFunction<SqlConnection, Dialect, Uni<Outcome>> work) {
        String hash = sha256(request);
        Dialect dialect = Dialect.of(tenant.kind());
        KeySql statements = KeySql.of(dialect);
        return sql.withTransaction(tenant, Idempotence.REPEATABLE, c -> find(c, statements, key, hash)
                        .chain(stored -> stored != null ? Uni.createFrom().item(stored)
                                : claim(c, dialect, key, hash).chain(() -> work.apply(c, dialect))
                                        .call(outcome -> c.preparedQuery(statements.complete)
                                                .execute(Tuple.of(outcome.status(), outcome.location(), outcome.body(), key)))
                                        .map(outcome -> new StoredResponse(outcome.status(), outcome.location(),
                                                outcome.body(), false))))
                .invoke(stored -> {
                    if (!stored.replayed()) {
                        purgeSometimes(tenant, dialect);
                    }
                })
                // A concurrent request with the key committed first: its response is the answer.
                .onFailure(KeyTaken.class).recoverWithUni(() -> sql.withConnection(tenant,
                        c -> find(c, statements, key, hash)).map(stored -> {
                            if (stored == null) {
                                throw inFlight();
                            }
                            return stored;
                        }));
    }

    private Uni<StoredResponse> find(SqlConnection c, KeySql statements, String key, String hash) {
        return c.preparedQuery(statements.find).execute(Tuple.of(key)).map(rows -> {
            Iterator<Row> it = rows.iterator();
            if (!it.hasNext()) {
                return null;
            }
            Row row = it.next();
            if (!hash.equals(row.getString("request_hash"))) {
                throw new ProblemException(422, "idempotency-key-reused", "Unprocessable request",
                        "this Idempotency-Key was already used for a different request");
            }
            return new StoredResponse(row.getInteger("status"), row.getString("location"), row.getString("body"), true);
        });
    }

    /**
     * After about one keyed write in 32, deletes a batch of expired keys, in its own short
     * statement (inside the claiming transaction InnoDB's range locks would make concurrent claims
     * deadlock) and off the caller's path: the answer does not wait for it. Batches of
     * {@value #PURGE_BATCH} keep each delete well inside the statement timeout however large the
     * backlog; at one batch per 32 writes, the purge outpaces the writes that create keys.
     */
    private void purgeSometimes(TenantRoute tenant, Dialect dialect) {
        if (ThreadLocalRandom.current().nextInt(32) != 0) {
            return;
        }
        Object cutoff = dialect.time(OffsetDateTime.now(ZoneOffset.UTC).minus(retention));
        sql.withConnection(tenant, c -> c.preparedQuery(KeySql.of(dialect).purge).execute(Tuple.of(cutoff)))
                .subscribe().with(done -> { }, failure -> { }); // a later write purges instead
    }

    private static final int PURGE_BATCH = 500;

    /** Another request with the same key is still running; the client should retry in a moment. */
    private static ProblemException inFlight() {
        return new ProblemException(409, "idempotency-key-in-flight", "Conflict",
                "a request with this Idempotency-Key is still in progress; retry shortly", java.util.OptionalLong.of(1));
    }

    private Uni<Void> claim(SqlConnection c, Dialect dialect, String key, String hash) {
        KeySql statements = KeySql.of(dialect);
        Object now = dialect.time(OffsetDateTime.now(ZoneOffset.UTC));
        // A repeat waits on the first request's uncommitted key row; it must not wait until the
        // statement timeout, which would count against the tenant's breaker.
        Uni<?> shortLockWait = statements.shortLockWait == null ? Uni.createFrom().voidItem()
                : c.preparedQuery(statements.shortLockWait).execute();
        Uni<?> usualLockWait = statements.usualLockWait == null ? Uni.createFrom().voidItem()
                : c.preparedQuery(statements.usualLockWait).execute();
        return shortLockWait.chain(() -> c.preparedQuery(statements.claim).execute(Tuple.of(key, hash, now)))
                .call(() -> usualLockWait) // the work itself waits for locks as usual
                .onFailure(DatabaseFailures::isUniqueViolation).transform(e -> new KeyTaken())
                .onFailure(failure -> DatabaseFailures.isLockWaitTimeout(failure)
                        || DatabaseFailures.isStatementTimeout(failure)).transform(e -> inFlight())
                .replaceWithVoid();
    }

    /** The key row exists: another request with the key got there first. */
    static final class KeyTaken extends RuntimeException {
        KeyTaken() {
            super("idempotency key taken", null, false, false);
        }
    }

    static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    /** The statements, side by side for both kinds. */
    private enum KeySql {
        POSTGRESQL(
                "SELECT request_hash, status, location, body FROM idempotency_key WHERE idem_key = $1",
                "INSERT INTO idempotency_key (idem_key, request_hash, status, body, created_at) VALUES ($1, $2, 0, '', $3)",
                "UPDATE idempotency_key SET status = $1, location = $2, body = $3 WHERE idem_key = $4",
                "DELETE FROM idempotency_key WHERE idem_key IN (SELECT idem_key FROM idempotency_key"
                        + " WHERE created_at < $1 LIMIT " + PURGE_BATCH + ")",
                "SET LOCAL lock_timeout = '1s'",
                "SET LOCAL lock_timeout TO DEFAULT"),
        MYSQL(
                "SELECT request_hash, status, location, body FROM idempotency_key WHERE idem_key = ?",
                "INSERT INTO idempotency_key (idem_key, request_hash, status, body, created_at) VALUES (?, ?, 0, '', ?)",
                "UPDATE idempotency_key SET status = ?, location = ?, body = ? WHERE idem_key = ?",
                "DELETE FROM idempotency_key WHERE created_at < ? LIMIT " + PURGE_BATCH,
                // MySQL has no per-transaction lock timeout; the statement timeout bounds the wait.
                null, null);

        final String find;
        final String claim;
        final String complete;
        final String purge;
        final String shortLockWait;
        final String usualLockWait;

        KeySql(String find, String claim, String complete, String purge, String shortLockWait,
               String usualLockWait) {
            this.usualLockWait = usualLockWait;
            this.find = find;
            this.claim = claim;
            this.complete = complete;
            this.purge = purge;
            this.shortLockWait = shortLockWait;
        }

        static KeySql of(Dialect dialect) {
            return valueOf(dialect.name());
        }
    }
}
