package io.tenantgate.resilience;

/**
 * A tenant database operation ran out of its request deadline. The work was cancelled and the
 * connection it held closed; the caller gets 503 {@code tenant-deadline-exceeded}.
 */
public final class DeadlineExceeded extends RuntimeException {

    public DeadlineExceeded(String detail) {
        super(detail, null, false, false);
    }
}
