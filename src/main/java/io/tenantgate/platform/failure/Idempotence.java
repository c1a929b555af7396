package io.tenantgate.platform.failure;

/** Whether repeating an operation could do its work twice: decides which failures are retried. */
public enum Idempotence {
    /** Reads, and writes guarded by an idempotency key: any transient failure is retried. */
    REPEATABLE,
    /**
     * Writes without an idempotency key: retried only when the failure proves the work never took
     * effect (no connection was made, or the server rolled the transaction back).
     */
    ONCE
}
