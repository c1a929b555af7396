package io.tenantgate.platform.failure;

import java.util.concurrent.atomic.LongAdder;

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
        SHUTTING_DOWN("shutting-down", 1),
        /**
         * The tenant's database server stopped answering (calls in flight got no reply, and a probe
         * none either): its tenants are failed fast until a probe gets an answer.
         */
        DATABASE_STALLED("tenant-database-stalled", 1);

        public final String slug;
        public final long retryAfterSeconds;

        Reason(String slug, long retryAfterSeconds) {
            this.slug = slug;
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }

    private final Reason reason;
    /** The refusal counter of the server that refused, counted when the answer is given; or null. */
    private final LongAdder answers;

    public GovernorRejection(Reason reason, String detail) {
        this(reason, detail, null);
    }

    /** For the governor: {@code answers} is the refusing server's counter, counted by {@link #answered}. */
    public GovernorRejection(Reason reason, String detail, LongAdder answers) {
        super(detail, null, false, false);
        this.reason = reason;
        this.answers = answers;
    }

    public Reason reason() {
        return reason;
    }

    /**
     * The caller was answered with this refusal. Servers count refusals here, as answers given:
     * a wait its caller abandoned is not a refusal anyone saw.
     */
    public void answered() {
        if (answers != null) {
            answers.increment();
        }
    }
}
