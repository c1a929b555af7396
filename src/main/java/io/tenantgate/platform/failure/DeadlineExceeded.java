package io.tenantgate.platform.failure;

/**
 * A tenant database operation ran out of its request deadline. The work was cancelled and the
 * connection it held closed; the caller gets 503 {@code tenant-deadline-exceeded}.
 *
 * <p>{@link #inDatabase()} tells where the time went: on the tenant's database (a statement or a
 * connect that did not answer: evidence for the tenant's breaker), or waiting for one of the
 * tenant's connections (overload: answered, never counted against the tenant).
 */
public final class DeadlineExceeded extends RuntimeException {

    private final boolean inDatabase;

    public DeadlineExceeded(String detail, boolean inDatabase) {
        super(detail, null, false, false);
        this.inDatabase = inDatabase;
    }

    public boolean inDatabase() {
        return inDatabase;
    }
}
