package io.tenantgate.reports;

import io.tenantgate.problem.ProblemException;

import java.util.UUID;
import java.util.regex.Pattern;

/** Ids and versions as callers send them: UUID text, and ETags ({@code "3"}, or weak {@code W/"3"}). */
public final class ReportIds {

    private static final Pattern UUID_TEXT =
            Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    private ReportIds() {
    }

    static UUID parse(String id, String field) {
        if (id == null || !UUID_TEXT.matcher(id).matches()) {
            throw ProblemException.badRequest("invalid-id", field + ": a UUID");
        }
        return UUID.fromString(id);
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
            throw stale(-1);
        }
    }

    static ProblemException stale(long current) {
        return new ProblemException(412, "stale-version", "Precondition failed", current < 0
                ? "If-Match names no version of this resource"
                : "it was changed since you read it; it is now at version " + current + ": read it again");
    }
}
