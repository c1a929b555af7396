package io.tenantgate.platform.problem;

/**
 * Optimistic concurrency over HTTP: a resource's version is its {@code ETag}, and a change names
 * the version it was based on in {@code If-Match} ({@code "3"}, or weak {@code W/"3"}).
 */
public final class Preconditions {

    private Preconditions() {
    }

    /** The ETag value of a version; JAX-RS quotes it in the header ({@code ETag: "3"}). */
    public static String etag(long version) {
        return Long.toString(version);
    }

    /** The version an {@code If-Match} header names; 428 without one, 412 if it names none. */
    public static long ifMatch(String header) {
        if (header == null || header.isBlank()) {
            throw new ProblemException(428, "if-match-required", "Precondition required",
                    "send If-Match with the ETag you read, so a concurrent change is not overwritten");
        }
        String tag = header.strip();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        tag = tag.replace("\"", "");
        try {
            return Long.parseLong(tag);
        } catch (NumberFormatException e) {
            throw new ProblemException(412, "stale-version", "Precondition failed",
                    "If-Match names no version of this resource");
        }
    }

}
