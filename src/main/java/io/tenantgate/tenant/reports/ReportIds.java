package io.tenantgate.tenant.reports;

import io.tenantgate.platform.problem.ProblemException;
import io.tenantgate.platform.problem.QueryParams;

import java.util.UUID;

/** Report ids as callers send them: UUID text. */
public final class ReportIds {

    private ReportIds() {
    }

    static UUID parse(String id, String field) {
        return QueryParams.uuid(id, field + ": a UUID");
    }

    static ProblemException stale(long current) {
        return new ProblemException(412, "stale-version", "Precondition failed", current < 0
                ? "If-Match names no version of this resource"
                : "it was changed since you read it; it is now at version " + current + ": read it again");
    }
}
