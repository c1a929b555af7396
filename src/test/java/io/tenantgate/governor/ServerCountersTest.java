package io.tenantgate.governor;

import io.tenantgate.platform.failure.GovernorRejection;
import io.tenantgate.platform.failure.GovernorRejection.Reason;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The counters of one server ({@link ServerCounters}), proved by exact counts: a refusal counts
 * once its caller is answered with it, against the server that built it and its reason only; one
 * built and never sent counts nothing; and the refusals reported leave out shutting down.
 */
class ServerCountersTest {

    @Test
    void aNewServerHasCountedNothing() {
        ServerCounters counters = new ServerCounters();
        assertEquals(0, counters.connects.sum());
        assertEquals(0, counters.moves.sum());
        assertEquals(0, counters.reconnects.sum());
        assertEquals(0, counters.permitsReturned.sum());
        for (Reason reason : Reason.values()) {
            assertEquals(0, counters.refused(reason), reason.name());
        }
    }

    @Test
    void aRefusalCountsOnlyOnceAnswered() {
        ServerCounters counters = new ServerCounters();
        GovernorRejection refusal = counters.refusal(Reason.SERVER_BUDGET_EXHAUSTED, "no connection in 5000 ms");
        assertSame(Reason.SERVER_BUDGET_EXHAUSTED, refusal.reason());
        assertEquals("no connection in 5000 ms", refusal.getMessage());
        assertEquals(0, counters.refused(Reason.SERVER_BUDGET_EXHAUSTED));

        refusal.answered();
        assertEquals(1, counters.refused(Reason.SERVER_BUDGET_EXHAUSTED));
        for (Reason other : Reason.values()) {
            if (other != Reason.SERVER_BUDGET_EXHAUSTED) {
                assertEquals(0, counters.refused(other), other.name());
            }
        }
    }

    @Test
    void aRefusalBuiltAndNeverSentCountsNothing() {
        ServerCounters counters = new ServerCounters();
        counters.refusal(Reason.ACQUIRE_TIMEOUT, "a");
        counters.refusal(Reason.ACQUIRE_TIMEOUT, "b");
        counters.refusal(Reason.DATABASE_STALLED, "c");
        assertEquals(0, counters.refused(Reason.ACQUIRE_TIMEOUT));
        assertEquals(0, counters.refused(Reason.DATABASE_STALLED));
        assertEquals(0L, counters.refusals().values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void eachAnsweredRefusalCountsAgainstTheServerThatBuiltIt() {
        ServerCounters one = new ServerCounters();
        ServerCounters two = new ServerCounters();
        one.refusal(Reason.TENANT_QUEUE_FULL, "x").answered();
        one.refusal(Reason.TENANT_QUEUE_FULL, "y").answered();
        two.refusal(Reason.TENANT_QUEUE_FULL, "z").answered();
        assertEquals(2, one.refused(Reason.TENANT_QUEUE_FULL));
        assertEquals(1, two.refused(Reason.TENANT_QUEUE_FULL));
    }

    @Test
    void theRefusalsReportedAreTheServersByTypeSlugWithoutShuttingDown() {
        ServerCounters counters = new ServerCounters();
        counters.refusal(Reason.TENANT_QUEUE_FULL, "q").answered();
        counters.refusal(Reason.DATABASE_STALLED, "s").answered();
        counters.refusal(Reason.DATABASE_STALLED, "s").answered();
        counters.refusal(Reason.SHUTTING_DOWN, "bye").answered();

        Map<String, Long> refusals = counters.refusals();
        assertEquals(List.of("tenant-queue-full", "server-budget-exhausted", "acquire-timeout",
                "tenant-database-stalled"), List.copyOf(refusals.keySet()));
        assertEquals(Map.of("tenant-queue-full", 1L, "server-budget-exhausted", 0L, "acquire-timeout", 0L,
                "tenant-database-stalled", 2L), refusals);
        // counted all the same, just not reported as the server's
        assertEquals(1, counters.refused(Reason.SHUTTING_DOWN));
    }

    @Test
    void eachActivityCounterCountsOnlyItsOwnEvents() {
        ServerCounters counters = new ServerCounters();
        counters.connects.increment();
        counters.connects.increment();
        counters.moves.increment();
        counters.reconnects.add(3);
        counters.permitsReturned.increment();
        assertEquals(2, counters.connects.sum());
        assertEquals(1, counters.moves.sum());
        assertEquals(3, counters.reconnects.sum());
        assertEquals(1, counters.permitsReturned.sum());
    }
}
