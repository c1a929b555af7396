package io.tenantgate.governor;

import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TenantStatus;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.platform.observability.StatementLog;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container of one server's connections ({@link ServerLinks}): a connection is in exactly the
 * lists its state says, counted live until it is closed; idle ones go oldest first to others and
 * warmest first to their own tenant; expiry stops at the first young one; shedding takes offered
 * idle connections before lingering ones; the long-lease sweep reports each lease once.
 */
class ServerLinksTest {

    private static final long T0 = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    private static final ServerBudget BUDGET = new ServerBudget("db.example:5432", 4, false, null, null,
            new ServerSettings(new HandOverRules.Settings(1, 0, 0),
                    new ServerSettings.Connections(1, 0, 0, Long.MAX_VALUE, 0),
                    new ServerHealth.Settings(0, 0, 0, 0, 0)));

    private final ServerLinks links = new ServerLinks();

    private TenantPool pool(String tenant) {
        TenantRoute route = new TenantRoute(tenant, tenant, TenantStatus.ACTIVE, DatabaseKind.POSTGRESQL,
                "db.example", 5432, tenant, tenant, "secret", TlsMode.DISABLED, 4);
        TenantPool pool = new TenantPool(route, route.identity(), BUDGET, 4, null, null, null, p -> { }, c -> { });
        links.pools().add(pool);
        return pool;
    }

    /** A connection of the pool, connected and idle since {@code at} (offered to all unless it lingers). */
    private Link idle(TenantPool pool, long at, boolean offered) {
        Link link = links.connecting(BUDGET, pool);
        pool.incoming--;
        links.makeIdle(link, at, offered);
        return link;
    }

    @Test
    void aNewConnectionCountsAsLiveAndComingUntilItIsClosed() {
        TenantPool a = pool("a");
        Link link = links.connecting(BUDGET, a);
        assertEquals(Link.State.CONNECTING, link.state);
        assertEquals(1, links.live());
        assertEquals(1, a.incoming);
        assertTrue(a.links.contains(link));
        link.state = Link.State.CLOSED;
        links.closed(link);
        assertEquals(0, links.live());
        assertFalse(a.links.contains(link));
    }

    @Test
    void aTenantTakesItsWarmestIdleConnectionAndOthersTheOldest() {
        TenantPool a = pool("a");
        TenantPool b = pool("b");
        Link cold = idle(a, T0, true);
        Link warm = idle(a, T0 + MS, true);
        Link ofB = idle(b, T0 + 2 * MS, true);
        assertSame(cold, links.oldestIdle());
        assertSame(ofB, links.oldestIdleNotOf(a));
        assertSame(cold, links.oldestIdleNotOf(b));
        assertSame(warm, links.takeIdle(a));
        assertEquals(2, links.idleCount());
        assertSame(cold, links.takeIdle(a));
        assertNull(links.takeIdle(a));
        assertEquals(1, links.idleCount());
    }

    @Test
    void aLingeringConnectionIsOfferedToOthersOnlyWhenItsOwnLingerEnds() {
        TenantPool a = pool("a");
        Link link = idle(a, T0, false);
        link.lingerGeneration = 2;
        assertFalse(links.anyIdle(), "a lingering connection is its tenant's alone");
        assertEquals(1, a.idle.size());
        assertFalse(links.lingerEnded(link, 1), "a stale linger does nothing");
        assertFalse(links.anyIdle());
        assertTrue(links.lingerEnded(link, 2));
        assertSame(link, links.oldestIdle());
        assertFalse(links.lingerEnded(link, 2), "offered once");
    }

    @Test
    void aLeasedConnectionLeavesTheIdleListsAndIsCountedOnItsTenant() {
        TenantPool a = pool("a");
        Link link = idle(a, T0, true);
        links.unIdle(link);
        ServerLinks.lend(link, T0 + MS);
        assertEquals(Link.State.LEASED, link.state);
        assertEquals(1, a.leased);
        assertEquals(T0 + MS, a.lastServedNanos);
        assertFalse(links.anyIdle());
        assertTrue(a.idle.isEmpty());
        assertTrue(a.links.contains(link), "still its tenant's");
        assertEquals(1, ServerLinks.openOf(a));
    }

    @Test
    void aDetachedConnectionIsInNoListButStillLive() {
        TenantPool a = pool("a");
        Link link = idle(a, T0, true);
        links.detach(link);
        assertFalse(links.anyIdle());
        assertTrue(a.idle.isEmpty());
        assertFalse(a.links.contains(link));
        assertEquals(1, links.live());
        assertEquals(0, links.heldBy("a"));
    }

    @Test
    void expiryTakesIdleConnectionsOldestFirstAndStopsAtTheFirstYoungOne() {
        TenantPool a = pool("a");
        Link old = idle(a, T0, true);
        Link young = idle(a, T0 + 100 * MS, true);
        Link alsoOldButBehind = idle(a, T0 + 200 * MS, true);
        alsoOldButBehind.idleSinceNanos = T0; // idle as long as the first, but queued behind a young one
        List<Link> expired = links.expired(T0 + 150 * MS, 100 * MS, Long.MAX_VALUE);
        assertEquals(List.of(old), expired);
        assertSame(young, links.oldestIdle());
        assertEquals(List.of(), links.expired(T0 + 150 * MS, 100 * MS, Long.MAX_VALUE));
    }

    @Test
    void expiryAlsoTakesConnectionsPastTheirLifetime() {
        TenantPool a = pool("a");
        Link link = idle(a, T0, true);
        long born = link.createdNanos;
        assertEquals(List.of(link), links.expired(born + 11 * MS, Long.MAX_VALUE, 10 * MS));
    }

    @Test
    void sheddingTakesOfferedIdleConnectionsBeforeLingeringOnesAndNoMoreThanAsked() {
        TenantPool a = pool("a");
        TenantPool b = pool("b");
        Link lingering = idle(a, T0, false);
        Link offered1 = idle(b, T0 + MS, true);
        Link offered2 = idle(a, T0 + 2 * MS, true);
        assertEquals(List.of(offered1), links.idleToShed(1));
        links.detach(offered1); // as its close does
        assertEquals(List.of(offered2, lingering), links.idleToShed(5));
        assertEquals(List.of(), links.idleToShed(0));
    }

    @Test
    void theOldestCallInFlightIsTheEarliestLeaseConnectMoveOrClose() {
        TenantPool a = pool("a");
        assertEquals(0, links.oldestInFlight());
        Link leased = idle(a, T0, true);
        links.unIdle(leased);
        ServerLinks.lend(leased, T0 + 50 * MS);
        assertEquals(T0 + 50 * MS, links.oldestInFlight());
        Link closing = idle(a, T0, true);
        links.detach(closing);
        links.closeSent(closing, T0 + 10 * MS);
        assertEquals(T0 + 10 * MS, links.oldestInFlight());
        closing.state = Link.State.CLOSED;
        links.closed(closing);
        assertEquals(T0 + 50 * MS, links.oldestInFlight());
        Link connecting = links.connecting(BUDGET, a);
        assertEquals(Math.min(connecting.createdNanos, T0 + 50 * MS), links.oldestInFlight());
    }

    @Test
    void demandCountsLeasesQueuedRequestsAndConnectionsOnTheirWay() {
        TenantPool a = pool("a");
        TenantPool b = pool("b");
        Link leased = idle(a, T0, true);
        links.unIdle(leased);
        ServerLinks.lend(leased, T0);
        a.queue.add(new TenantPool.Waiter(null));
        a.queue.add(new TenantPool.Waiter(null));
        links.connecting(BUDGET, b);
        idle(b, T0, true); // idle: not demand
        assertEquals(4, links.demand());
        assertEquals(1, links.heldBy("a"));
        assertEquals(2, links.heldBy("b"));
        assertSame(a, links.anyLivePool());
        a.state = TenantPool.State.DRAINING;
        assertSame(b, links.anyLivePool());
    }

    @Test
    void aLongLeaseIsReportedOnceAndOnlyWithACaller() {
        TenantPool a = pool("a");
        Link withCaller = idle(a, T0, true);
        links.unIdle(withCaller);
        ServerLinks.lend(withCaller, T0);
        withCaller.caller = new StatementLog.Caller("a", "db.example:5432", "GET /x", "request-1", null);
        Link anonymous = idle(a, T0, true);
        links.unIdle(anonymous);
        ServerLinks.lend(anonymous, T0);
        assertEquals(List.of(), links.longLeases(100 * MS, T0 + 100 * MS), "not past the threshold yet");
        List<ServerBudget.LongLease> found = links.longLeases(100 * MS, T0 + 101 * MS);
        assertEquals(1, found.size());
        assertEquals(101 * MS, found.getFirst().heldNanos());
        assertEquals(List.of(), links.longLeases(100 * MS, T0 + 500 * MS), "reported once");
        ServerLinks.lend(withCaller, T0 + 600 * MS); // a new lease is a new report
        assertEquals(1, links.longLeases(100 * MS, T0 + 701 * MS).size());
    }
}
