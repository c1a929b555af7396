package io.tenantgate.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Times tenant statements and leases. Statements over {@code slow-statement} are logged with their
 * SQL text (placeholders only: parameter values, which may be personal data, are never logged);
 * leases over {@code long-lease} are logged once, while still held. Per-server timers only, so the
 * series stay bounded. Logging or metrics never fail the work.
 */
@ApplicationScoped
public class StatementLog {

    private static final Logger LOG = Logger.getLogger(StatementLog.class);

    private final MeterRegistry meters;
    private final Vertx vertx;
    private final long slowNanos;
    private final long longLeaseMillis;
    private final boolean counting;
    private final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.atomic.AtomicInteger> perRequest =
            new java.util.concurrent.ConcurrentHashMap<>();

    public StatementLog(MeterRegistry meters, Vertx vertx, ObservabilityConfig config) {
        this.meters = meters;
        this.vertx = vertx;
        this.slowNanos = config.slowStatement().toNanos();
        this.longLeaseMillis = config.longLease().toMillis();
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

    public <T> Uni<T> statement(Caller caller, String sql, Uni<T> execution) {
        return Uni.createFrom().deferred(() -> {
            long start = System.nanoTime();
            return execution.onTermination().invoke(() -> finished(caller, sql, System.nanoTime() - start));
        });
    }

    private void finished(Caller caller, String sql, long nanos) {
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

    /** Starts watching a lease; the returned handle must be closed when the connection is given back. */
    public AutoCloseable lease(Caller caller) {
        long start = System.nanoTime();
        long timer = vertx.setTimer(Math.max(1, longLeaseMillis), id -> LOG.warnf(
                "long lease: a connection of tenant=%s route=%s requestId=%s held for over %dms (still held)",
                caller.tenant(), caller.route(), caller.requestId(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
        return () -> vertx.cancelTimer(timer);
    }

    private static String oneLine(String sql) {
        String flat = sql.replaceAll("\\s+", " ").strip();
        return flat.length() > 500 ? flat.substring(0, 500) + "…" : flat;
    }
}
