package io.tenantgate.platform.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Times tenant statements and leases. Statements over {@code slow-statement} are logged with their
 * SQL text (placeholders only: parameter values, which may be personal data, are never logged);
 * leases over {@code long-lease} are logged once, while still held, when the governor's sweep
 * finds them (no timer per lease). Per-server timers only, so the
 * series stay bounded. Logging or metrics never fail the work.
 */
@ApplicationScoped
public class StatementLog {

    private static final Logger LOG = Logger.getLogger(StatementLog.class);

    private final MeterRegistry meters;
    private final long slowNanos;
    private final long longLeaseNanos;
    private final boolean counting;
    private final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.AtomicInteger> perRequest =
            new java.util.concurrent.ConcurrentHashMap<>();

    public StatementLog(MeterRegistry meters, ObservabilityConfig config) {
        this.meters = meters;
        this.slowNanos = config.slowStatement().toNanos();
        this.longLeaseNanos = config.longLease().toNanos();
        this.counting = config.countStatements();
    }

    /**
     * Who a lease or statement works for, captured when the connection is taken, and the server's
     * statement timer (registered once per pool, not looked up per statement).
     */
    public record Caller(String tenant, String server, String route, String requestId, Timer statements) {
        public static Caller current(String tenant, String server, Timer statements) {
            return new Caller(tenant, server, CallContext.route(), CallContext.requestId(), statements);
        }
    }

    /** The per-server statement timer, for a pool to register once. */
    public Timer statementTimer(String server) {
        return Timer.builder("tenantgate.statement").description("Tenant statement round trips")
                .tag("server", server).register(meters);
    }

    /** One statement ended after {@code nanos}: timed, counted when counting is on, and logged when slow. */
    public void finished(Caller caller, String sql, long nanos) {
        if (counting && !"-".equals(caller.requestId())) {
            if (perRequest.size() > 10_000) {
                perRequest.clear();
            }
            perRequest.computeIfAbsent(caller.requestId(), id -> new java.util.concurrent.atomic.AtomicInteger())
                    .incrementAndGet();
        }
        try {
            caller.statements().record(nanos, TimeUnit.NANOSECONDS);
            if (nanos > slowNanos) {
                LOG.warnf("slow statement: tenant=%s route=%s requestId=%s duration=%dms sql=%s", caller.tenant(),
                        caller.route(), caller.requestId(), TimeUnit.NANOSECONDS.toMillis(nanos), oneLine(sql));
            }
        } catch (RuntimeException e) {
            LOG.debugf("could not record a statement: %s", e);
        }
    }

    /** Tenant statements run for a request, when counting is on ({@code count-statements}). */
    public int statementsOf(String requestId) {
        var count = perRequest.get(requestId);
        return count == null ? 0 : count.get();
    }

    /** The long-lease threshold: leases held longer are reported once, while still held. */
    public long longLeaseNanos() {
        return longLeaseNanos;
    }

    /** Reports a lease the governor's sweep found held past {@code long-lease}. */
    public void longLease(Caller caller, long heldNanos) {
        LOG.warnf("long lease: a connection of tenant=%s route=%s requestId=%s held for over %dms (still held)",
                caller.tenant(), caller.route(), caller.requestId(), TimeUnit.NANOSECONDS.toMillis(heldNanos));
    }

    private static String oneLine(String sql) {
        String flat = sql.replaceAll("\\s+", " ").strip();
        return flat.length() > 500 ? flat.substring(0, 500) + "…" : flat;
    }
}
