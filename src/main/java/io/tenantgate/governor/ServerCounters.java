package io.tenantgate.governor;

import io.tenantgate.platform.failure.GovernorRejection;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one server's budget has done since start, for metrics and stats: connects, moves,
 * reconnects, permits given back after a close, and refusals by reason.
 *
 * <p><b>Rule.</b> A refusal counts once its caller is answered with it ({@link GovernorRejection#answered}),
 * not when it is built: a refusal built and never sent counts nothing. Counters only grow, and are
 * read without any lock.
 */
final class ServerCounters {

    private final Map<GovernorRejection.Reason, LongAdder> refusals = new EnumMap<>(GovernorRejection.Reason.class);
    final LongAdder connects = new LongAdder();
    final LongAdder moves = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final LongAdder permitsReturned = new LongAdder();

    ServerCounters() {
        for (GovernorRejection.Reason reason : GovernorRejection.Reason.values()) {
            refusals.put(reason, new LongAdder());
        }
    }

    /** A refusal for the server's caller, counted against the server once the caller is answered with it. */
    GovernorRejection refusal(GovernorRejection.Reason reason, String detail) {
        return new GovernorRejection(reason, detail, refusals.get(reason));
    }

    long refused(GovernorRejection.Reason reason) {
        return refusals.get(reason).sum();
    }

    /** Answered refusals by problem type slug; shutting down is the application's, not the server's. */
    Map<String, Long> refusals() {
        Map<String, Long> answered = new LinkedHashMap<>();
        refusals.forEach((reason, count) -> {
            if (reason != GovernorRejection.Reason.SHUTTING_DOWN) {
                answered.put(reason.slug, count.sum());
            }
        });
        return answered;
    }
}
