package io.tenantgate.governor;

import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TenantStatus;
import io.tenantgate.governor.route.TlsMode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The permit accounting of one server ({@link ServerPermits}), proved by exact counts: a permit is
 * taken before its connection and given back exactly once, never more than is held (a refusal
 * leaves every count as it was), a migration gives back only what it took, and permits of
 * connections shed because the share shrank are not counted again as excess.
 */
class ServerPermitsTest {

    private static final String SERVER = "db.example:5432";

    /** A budget built only so that a link can name its server; it is never run. */
    private static final ServerBudget BUDGET = new ServerBudget(SERVER, 4, false, null, null,
            new ServerSettings(new HandOverRules.Settings(1, 0, 0),
                    new ServerSettings.Connections(1, 0, 0, Long.MAX_VALUE, 0),
                    new ServerHealth.Settings(0, 0, 0, 0, 0)));

    private static Link link(long id) {
        TenantRoute route = new TenantRoute("t" + id, "t" + id, TenantStatus.ACTIVE, DatabaseKind.POSTGRESQL,
                "db.example", 5432, "t", "t", "secret", TlsMode.DISABLED, 4);
        TenantPool pool = new TenantPool(route, route.identity(), BUDGET, 4, null, null, null, p -> { }, c -> { });
        return new Link(BUDGET, id, pool);
    }

    private static ServerPermits taken(int count) {
        ServerPermits permits = new ServerPermits();
        for (int i = 0; i < count; i++) {
            permits.take();
        }
        return permits;
    }

    @Test
    void aPermitIsTakenOnlyBelowTheCap() {
        ServerPermits permits = new ServerPermits();
        assertEquals(0, permits.held());
        assertTrue(permits.below(1));
        assertFalse(permits.below(0));
        permits.take();
        assertEquals(1, permits.held());
        assertTrue(permits.below(2));
        assertFalse(permits.below(1));
    }

    @Test
    void theExcessIsWhatIsHeldOverTheCap() {
        ServerPermits permits = taken(3);
        assertEquals(2, permits.excessOver(1));
        assertEquals(0, permits.excessOver(3));
        assertEquals(-2, permits.excessOver(5));
    }

    @Test
    void permitsBeingShedAreNotCountedAgainAsExcess() {
        ServerPermits permits = taken(3);
        Link link = link(1);
        permits.shed(link);
        assertTrue(link.shed);
        assertEquals(3, permits.held());
        assertEquals(1, permits.excessOver(1));
    }

    @Test
    void settlingAShedLinkEndsItsShedding() {
        ServerPermits permits = taken(2);
        Link link = link(1);
        permits.shed(link);
        assertEquals(1, permits.excessOver(0));
        permits.settle(link);
        assertTrue(link.permitSettled);
        assertEquals(2, permits.excessOver(0)); // settled, but held until given back
        permits.giveBack(1);
        assertEquals(1, permits.held());
        assertEquals(1, permits.excessOver(0));
    }

    @Test
    void settlingALinkThatWasNotShedLeavesTheSheddingAlone() {
        ServerPermits permits = taken(3);
        Link shedLink = link(1);
        Link other = link(2);
        permits.shed(shedLink);
        permits.settle(other);
        assertTrue(other.permitSettled);
        assertFalse(other.shed);
        assertEquals(2, permits.excessOver(0));
        assertEquals(3, permits.held());
    }

    @Test
    void aPermitSettledTwiceIsRefused() {
        ServerPermits permits = taken(2);
        Link link = link(7);
        permits.shed(link);
        permits.settle(link);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> permits.settle(link));
        assertTrue(refused.getMessage().contains("gave its permit back twice"), refused.getMessage());
        assertTrue(refused.getMessage().contains(SERVER), refused.getMessage());
        // the shedding was not ended twice
        assertEquals(2, permits.excessOver(0));
        assertTrue(link.permitSettled);
    }

    @Test
    void aSettledPermitPassesToAnHeirOnlyWithinTheCap() {
        ServerPermits permits = taken(3);
        assertTrue(permits.passes(3));
        assertFalse(permits.passes(2));
        permits.shed(link(1));
        assertTrue(permits.passes(2));
        assertFalse(permits.passes(1));
    }

    @Test
    void aMigrationsPermitsAreCountedAgainstItAndTheBudget() {
        ServerPermits permits = new ServerPermits();
        permits.take();
        permits.takeFor("m1");
        permits.takeFor("m1");
        permits.takeFor("m2");
        assertEquals(4, permits.held());
        assertEquals(2, permits.heldBy("m1"));
        assertEquals(1, permits.heldBy("m2"));
        assertEquals(0, permits.heldBy("m3"));
        assertEquals(3, permits.heldByHolders());
    }

    @Test
    void aMigrationGivesBackWhatItTook() {
        ServerPermits permits = new ServerPermits();
        permits.takeFor("m1");
        permits.takeFor("m1");
        permits.takeFor("m2");
        permits.giveBack("m1", 1, SERVER);
        assertEquals(1, permits.heldBy("m1"));
        assertEquals(2, permits.held());
        assertEquals(2, permits.heldByHolders());
        permits.giveBack("m1", 1, SERVER);
        assertEquals(0, permits.heldBy("m1"));
        assertEquals(1, permits.held());
        assertEquals(1, permits.heldByHolders());
        permits.giveBack("m2", 1, SERVER);
        assertEquals(0, permits.held());
        assertEquals(0, permits.heldByHolders());
    }

    @Test
    void aMigrationGivingBackMoreThanItHoldsIsRefusedAndChangesNothing() {
        ServerPermits permits = new ServerPermits();
        permits.take();
        permits.takeFor("m1");
        permits.takeFor("m1");
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> permits.giveBack("m1", 3, SERVER));
        assertEquals("m1 gave back 3 permits of " + SERVER + " but holds 2", refused.getMessage());
        assertEquals(3, permits.held());
        assertEquals(2, permits.heldBy("m1"));
        assertEquals(2, permits.heldByHolders());

        assertThrows(IllegalStateException.class, () -> permits.giveBack("m2", 1, SERVER));
        assertEquals(3, permits.held());
        assertEquals(0, permits.heldBy("m2"));
    }

    @Test
    void givingBackMoreThanIsHeldIsRefusedAndChangesNothing() {
        ServerPermits permits = taken(2);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> permits.giveBack(3));
        assertEquals("giving back 3 permits of 2 held", refused.getMessage());
        assertEquals(2, permits.held());
        permits.giveBack(2);
        assertEquals(0, permits.held());
        assertThrows(IllegalStateException.class, () -> permits.giveBack(1));
        assertEquals(0, permits.held());
    }
}
