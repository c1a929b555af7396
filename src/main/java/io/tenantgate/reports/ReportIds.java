package io.tenantgate.reports;

import io.tenantgate.problem.ProblemException;

import java.util.UUID;
import java.util.regex.Pattern;

/** Report ids as callers send them: UUID text. */
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

    static ProblemException stale(long current) {
        return new ProblemException(412, "stale-version", "Precondition failed", current < 0
                ? "If-Match names no version of this resource"
                : "it was changed since you read it; it is now at version " + current + ": read it again");
    }
}
