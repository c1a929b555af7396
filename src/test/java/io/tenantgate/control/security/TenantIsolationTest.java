package io.tenantgate.control.security;

import io.quarkus.test.junit.QuarkusTest;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.TenantApi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;

/** Invariant 6: a tenant's request reaches only that tenant's database, even with a stolen id. */
@QuarkusTest
class TenantIsolationTest {

    @ParameterizedTest(name = "{0} cannot touch {1}'s customer")
    @CsvSource({DemoServers.ACME + "," + DemoServers.GLOBEX, DemoServers.GLOBEX + "," + DemoServers.ACME})
    void aTokenForOneTenantCannotReadChangeOrDeleteAnotherTenantsCustomer(String attacker, String victim) {
        assertIsolated(attacker, victim);
    }

    /** Two tenants on the same server and kind: nothing but the tenant key tells their data apart. */
    @BothKinds
    void tenantsOnTheSameServerAreIsolatedToo(DatabaseKind kind) throws Throwable {
        String first = FreshTenants.key("iso");
        String second = FreshTenants.key("iso");
        FreshTenants.provision(kind, first);
        FreshTenants.provision(kind, second);
        assertIsolated(first, second);
        assertIsolated(second, first);
    }

    private static void assertIsolated(String attacker, String victim) {
        TenantApi owner = TenantApi.as(victim);
        TenantApi intruder = TenantApi.as(attacker);
        String email = "victim-" + UUID.randomUUID() + "@example.com";
        String id = owner.post("/api/customers", TenantApi.customer("Victim", email)).statusCode(201).extract().path("id");

        intruder.get("/api/customers/{id}", id).statusCode(404);
        intruder.put("/api/customers/{id}", TenantApi.customer("Hijacked", "evil@example.com"), id).statusCode(404);
        intruder.delete("/api/customers/{id}", id).statusCode(404);
        intruder.get("/api/customers?q=" + email).statusCode(200).body("total", equalTo(0));

        owner.get("/api/customers/{id}", id).statusCode(200).body("name", equalTo("Victim")).body("email", equalTo(email));
    }
}
