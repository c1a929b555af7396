package io.tenantgate.governor;

import io.tenantgate.platform.observability.StatementLog;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every connection the governor holds to one server, and the tenant pools they belong to: the
 * container {@link ServerBudget} schedules over (as HikariCP's pool leaves its container to
 * {@code ConcurrentBag}).
 *
 * <p><b>Rule.</b> A connection is in exactly the places its state says: every connection not yet
 * seen closed counts once in {@link #live()}; an IDLE one is in its pool's idle list and, unless it
 * lingers, in the server's idle set (oldest first, so expiry stops at the first young one); a
 * CLOSING one with a connection is in the closing set (oldest first) until its close is observed.
 *
 * <p>Holds no lock and does no I/O: {@link ServerBudget} calls it under its own lock.
 */
final class ServerLinks {

    private final Set<TenantPool> pools = new LinkedHashSet<>();
    /** Idle connections of every tenant offered to any, oldest first. */
    private final LinkedHashSet<Link> idle = new LinkedHashSet<>();
    /** Connections whose close was sent and not yet observed, oldest first. */
    private final LinkedHashSet<Link> closing = new LinkedHashSet<>();
    private long nextId;
    private int live;

    Set<TenantPool> pools() {
        return pools;
    }

    /** A new CONNECTING connection for {@code pool}. */
    Link connecting(ServerBudget server, TenantPool pool) {
        Link link = new Link(server, ++nextId, pool);
        live++;
        pool.links.add(link);
        pool.incoming++;
        return link;
    }

    /** Connections connecting, open or closing. */
    int live() {
        return live;
    }

    /** The warmest idle connection of the pool, taken out of the idle lists; null if none. */
    Link takeIdle(TenantPool pool) {
        Link link = pool.idle.pollLast();
        if (link != null) {
            idle.remove(link);
        }
        return link;
    }

    static void lend(Link link, long now) {
        link.leasedAtNanos = now;
        link.longLeaseReported = false;
        link.state = Link.State.LEASED;
        link.owner.leased++;
        link.owner.lastServedNanos = now;
    }

    /** Idle for its tenant; offered to every tenant at once unless it lingers first. */
    void makeIdle(Link link, long now, boolean offered) {
        link.state = Link.State.IDLE;
        link.idleSinceNanos = now;
        link.owner.idle.addLast(link);
        if (offered) {
            idle.add(link);
        }
    }

    /** A linger ended: the connection, still idle and of that linger, is offered to every tenant. */
    boolean lingerEnded(Link link, long generation) {
        if (link.state == Link.State.IDLE && link.lingerGeneration == generation && !idle.contains(link)) {
            idle.add(link);
            return true;
        }
        return false;
    }

    boolean anyIdle() {
        return !idle.isEmpty();
    }

    /** The oldest idle connection offered to all, or null. */
    Link oldestIdle() {
        return idle.isEmpty() ? null : idle.iterator().next();
    }

    Link oldestIdleNotOf(TenantPool pool) {
        for (Link link : idle) {
            if (link.owner != pool) {
                return link;
            }
        }
        return null;
    }

    /** Out of the idle lists, still its tenant's (leased by a probe). */
    void unIdle(Link link) {
        idle.remove(link);
        link.owner.idle.remove(link);
    }

    /** Out of its owner's lists and the idle set: it is leaving its tenant (closing or handed over). */
    void detach(Link link) {
        idle.remove(link);
        if (link.owner != null) {
            link.owner.idle.remove(link);
            link.owner.links.remove(link);
        }
    }

    void closeSent(Link link, long now) {
        link.closingSinceNanos = now;
        closing.add(link);
    }

    /** The link is CLOSED now: a connect that failed, or a close observed. */
    void closed(Link link) {
        closing.remove(link);
        live--;
        detach(link);
    }

    /** Idle connections past the idle timeout or their lifetime, oldest first, taken out of the idle set. */
    List<Link> expired(long now, long idleTimeoutNanos, long maxLifetimeNanos) {
        List<Link> expired = new ArrayList<>(0);
        for (Iterator<Link> it = idle.iterator(); it.hasNext(); ) {
            Link link = it.next();
            if (now - link.idleSinceNanos <= idleTimeoutNanos && now - link.createdNanos <= maxLifetimeNanos) {
                break; // the rest are younger
            }
            it.remove();
            expired.add(link);
        }
        return expired;
    }

    /** Up to {@code count} idle connections to shed: offered ones oldest first, then lingering ones. */
    List<Link> idleToShed(int count) {
        List<Link> found = new ArrayList<>(0);
        for (Iterator<Link> it = idle.iterator(); found.size() < count && it.hasNext(); ) {
            Link link = it.next();
            it.remove();
            found.add(link);
        }
        for (TenantPool pool : pools) {
            for (Link link : pool.idle) {
                if (found.size() >= count) {
                    return found;
                }
                if (!found.contains(link)) {
                    found.add(link);
                }
            }
        }
        return found;
    }

    /** When the oldest call still waiting on the server (a lease, a connect, a move, a close) began; 0 if none. */
    long oldestInFlight() {
        long oldest = closing.isEmpty() ? 0 : closing.iterator().next().closingSinceNanos;
        for (TenantPool pool : pools) {
            for (Link link : pool.links) {
                long since = switch (link.state) {
                    case LEASED -> link.leasedAtNanos;
                    case CONNECTING, MOVING -> link.createdNanos;
                    default -> 0;
                };
                if (since != 0 && (oldest == 0 || since < oldest)) {
                    oldest = since;
                }
            }
        }
        return oldest;
    }

    /** Connections in use, queued for, or on their way (connecting or moving). */
    int demand() {
        int demand = 0;
        for (TenantPool pool : pools) {
            demand += pool.leased + pool.queue.size();
            for (Link link : pool.links) {
                if (link.state == Link.State.CONNECTING || link.state == Link.State.MOVING) {
                    demand++;
                }
            }
        }
        return demand;
    }

    /** A pool that admits work, or null. */
    TenantPool anyLivePool() {
        for (TenantPool pool : pools) {
            if (pool.state == TenantPool.State.LIVE) {
                return pool;
            }
        }
        return null;
    }

    /** Connections (of any state but closed) the tenant's pools hold. */
    int heldBy(String tenant) {
        int held = 0;
        for (TenantPool pool : pools) {
            if (pool.key().equals(tenant)) {
                held += pool.held();
            }
        }
        return held;
    }

    static int openOf(TenantPool pool) {
        int open = 0;
        for (Link link : pool.links) {
            if (link.isOpen() || link.state == Link.State.CONNECTING) {
                open++;
            }
        }
        return open;
    }

    /** Idle connections offered to every tenant. */
    int idleCount() {
        return idle.size();
    }

    /**
     * Leases held past {@code thresholdNanos} and not reported yet, each reported once: the sweep
     * that replaces a timer per lease.
     */
    List<ServerBudget.LongLease> longLeases(long thresholdNanos, long now) {
        List<ServerBudget.LongLease> found = new ArrayList<>(0);
        for (TenantPool pool : pools) {
            if (pool.leased == 0) {
                continue;
            }
            for (Link link : pool.links) {
                StatementLog.Caller caller = link.caller;
                if (link.state == Link.State.LEASED && !link.longLeaseReported && caller != null
                        && now - link.leasedAtNanos > thresholdNanos) {
                    link.longLeaseReported = true;
                    found.add(new ServerBudget.LongLease(caller, now - link.leasedAtNanos));
                }
            }
        }
        return found;
    }
}
