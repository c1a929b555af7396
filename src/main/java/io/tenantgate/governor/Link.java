package io.tenantgate.governor;

import io.tenantgate.platform.observability.StatementLog;
import io.vertx.sqlclient.SqlConnection;

/**
 * One physical connection to a database server, owned by the governor (never by a Vert.x pool),
 * and the budget permit it holds.
 *
 * <p>State machine; every transition happens under its {@link ServerBudget}'s lock, in one step:
 * <pre>
 *   CONNECTING ──connected──▶ IDLE ◀──released── LEASED
 *        │                     │  └──leased──────▶ │
 *        │                     └──handed over──▶ MOVING ──moved──▶ IDLE (another tenant's)
 *        └──failed──▶ CLOSED          any of them ──close──▶ CLOSING ──close observed──▶ CLOSED
 * </pre>
 * A peer close (the server went away) takes any state straight to CLOSED. The permit is held from
 * the moment the connect is decided until the close is observed, then for the release grace, and is released (or passed to the tenant it was reserved for) exactly once:
 * {@link #permitSettled} flips once, under the lock.
 */
final class Link {

    enum State { CONNECTING, IDLE, LEASED, MOVING, CLOSING, CLOSED }

    final ServerBudget server;
    final long id;
    final long createdNanos = System.nanoTime();

    /** The tenant whose session the connection carries (or will, once CONNECTING or MOVING ends). */
    TenantPool owner;
    State state = State.CONNECTING;
    /** The Vert.x connection once connected; null while CONNECTING. */
    SqlConnection connection;
    /** When it last became IDLE. */
    long idleSinceNanos;
    /** When its close was sent (CLOSING with a connection). */
    long closingSinceNanos;
    /** When its current lease began. */
    long leasedAtNanos;
    /** Leases served for the current owner since it got the connection, for the hand-over quantum. */
    int quantumUsed;
    /** The tenant whose new connect this link's permit passes to once it has closed (a PostgreSQL hand-over). */
    TenantPool reservedFor;
    /** Its permit was given back or passed on (see {@link ServerPermits#settle}); flips once. */
    boolean permitSettled;
    /** Closed because its server's share shrank: its permit goes back, to no heir. */
    boolean shed;
    /** Ends the current lease's work with {@code tenant-database-stalled} (the server stalled); null when not leased. */
    volatile Runnable abort;
    /** Who the current lease works for, for the long-lease sweep; null when not leased. */
    volatile StatementLog.Caller caller;
    /** The current lease was reported as long already. */
    boolean longLeaseReported;
    /** Leased by the stall detector's probe, not by a request. */
    boolean probe;
    /** Bumped each time it starts to linger, so a stale linger timer does nothing. */
    long lingerGeneration;

    Link(ServerBudget server, long id, TenantPool owner) {
        this.server = server;
        this.id = id;
        this.owner = owner;
    }

    boolean isOpen() {
        return state == State.IDLE || state == State.LEASED || state == State.MOVING;
    }

    @Override
    public String toString() {
        return "Link[" + id + " " + state + " of " + (owner == null ? "-" : owner.key()) + " on " + server.server() + "]";
    }
}
