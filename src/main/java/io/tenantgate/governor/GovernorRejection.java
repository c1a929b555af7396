package io.tenantgate.governor;

/**
 * The governor refused work to protect a database: the caller gets a fast 503 with
 * {@code Retry-After} and a {@code type} naming the reason, never a hang and never the database's
 * own "too many connections". Carries no stack trace: it is expected under overload.
 */
public final class GovernorRejection extends RuntimeException {

    /** Why work was refused; the slug is the problem {@code type}'s last segment. */
    public enum Reason {
        /** The tenant already has as many requests waiting as it may. */
        TENANT_QUEUE_FULL("tenant-queue-full", 1),
        /** No connection could be opened within the acquire timeout: the server's budget is in use. */
        SERVER_BUDGET_EXHAUSTED("server-budget-exhausted", 2),
        /** The tenant's own connections stayed busy for the whole acquire timeout. */
        ACQUIRE_TIMEOUT("acquire-timeout", 1),
        /** The instance is draining before it stops; another replica will answer. */
        SHUTTING_DOWN("shutting-down", 1);

        public final String slug;
        public final long retryAfterSeconds;

        Reason(String slug, long retryAfterSeconds) {
            this.slug = slug;
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }

    private final Reason reason;

    public GovernorRejection(Reason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
