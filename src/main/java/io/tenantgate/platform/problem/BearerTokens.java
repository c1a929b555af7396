package io.tenantgate.platform.problem;

import org.jose4j.jwt.consumer.InvalidJwtException;

/** What a refused bearer token may be told about itself. */
final class BearerTokens {

    private BearerTokens() {
    }

    /**
     * Whether the token was refused because it expired, and only for that: SmallRye JWT wraps
     * jose4j's verdict, which names each failed check, under its own exceptions.
     */
    static boolean hasExpired(Throwable refusal) {
        for (Throwable t = refusal; t != null; t = t.getCause()) {
            if (t instanceof InvalidJwtException invalid) {
                return invalid.hasExpired() && invalid.getErrorDetails().size() == 1;
            }
        }
        return false;
    }
}
