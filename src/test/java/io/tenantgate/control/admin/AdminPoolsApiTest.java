package io.tenantgate.control.admin;

import io.quarkus.test.junit.QuarkusTest;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.governor.ReplicaLeases;
import io.tenantgate.governor.TenantPools;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.TestTokens;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's pool view and levers: operators only; evicting drains without failing work in
 * flight; views and answers name the replica. Leases are off in tests (one replica), so the levers
 * act here alone; FleetAdminIT proves them across three packaged replicas.
 */
@QuarkusTest
class AdminPoolsApiTest {

    private static final String OPERATOR = TestTokens.operator();

    @Inject
    TenantPools pools;

    @Inject
    ReplicaLeases leases;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void onlyOperatorsMayUseTheAdminApi() {
        for (String path : new String[] {"/admin/pools", "/admin/servers", "/admin/fleet/pools"}) {
            given().when().get(path).then().statusCode(401).contentType("application/problem+json");
            given().auth().oauth2(TestTokens.forTenant(DemoServers.ACME)).when().get(path).then().statusCode(403)
                    .contentType("application/problem+json");
        }
        given().auth().oauth2(TestTokens.forTenant(DemoServers.ACME)).when()
                .post("/admin/pools/{tenant}/evict", DemoServers.ACME).then().statusCode(403);
        given().auth().oauth2(TestTokens.forTenant(DemoServers.ACME)).when().post("/admin/pools/evict-idle").then()
                .statusCode(403);
    }

    @Test
    void operatorsSeeEveryLivePoolAndEveryServersBudget() {
        assertEquals("200", LoadClients.call(port, "/api/customers", TestTokens.forTenant(DemoServers.ACME)));
        given().auth().oauth2(OPERATOR).when().get("/admin/pools").then().statusCode(200)
                .body("tenant", hasItem(DemoServers.ACME))
                .body("find { it.tenant == 'acme' }.breaker", org.hamcrest.Matchers.equalTo("CLOSED"))
                .body("find { it.tenant == 'acme' }.max", notNullValue())
                .body("find { it.tenant == 'acme' }.uses", notNullValue())
                .body(org.hamcrest.Matchers.not(containsString("password")));
        given().auth().oauth2(OPERATOR).when().get("/admin/servers").then().statusCode(200)
                .body("[0].budget", notNullValue())
                .body("[0].level", notNullValue());
    }

    @Test
    void evictingDrainsThePoolWithoutFailingTheRequestInFlight() throws Exception {
        String acme = TestTokens.forTenant(DemoServers.ACME);
        assertEquals("200", LoadClients.call(port, "/api/customers", acme));
        long created = pools.poolsCreated(DemoServers.ACME);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> inFlight = threads.submit(() -> LoadClients.call(port, "/test/sleep?ms=1500", acme));
            assertTrue(Await.until(() -> Await.holdsConnection(pools, DemoServers.ACME), 10));
            given().auth().oauth2(OPERATOR).when().post("/admin/pools/{tenant}/evict", DemoServers.ACME).then()
                    .statusCode(200).body("evicted", org.hamcrest.Matchers.equalTo(true));
            assertFalse(pools.hasPool(DemoServers.ACME), "the pool left service at once");
            assertEquals("200", inFlight.get(30, TimeUnit.SECONDS), "the admitted request finished");
        }
        assertEquals("200", LoadClients.call(port, "/api/customers", acme));
        assertEquals(created + 1, pools.poolsCreated(DemoServers.ACME), "the next request built a new pool");
    }

    @Test
    void evictingATenantWithNoPoolIsNoErrorButAnUnknownOrMalformedKeyIs() {
        pools.evict(DemoServers.GLOBEX);
        String replica = leases.replicaId();
        given().auth().oauth2(OPERATOR).when().post("/admin/pools/{tenant}/evict", DemoServers.GLOBEX).then()
                .statusCode(200).header(AdminPoolsResource.REPLICA_HEADER, replica)
                .body("tenant", equalTo(DemoServers.GLOBEX))
                .body("evicted", equalTo(false))
                .body("replicas.replica", contains(replica))
                .body("replicas[0].evicted", equalTo(false))
                .body("pending", empty())
                .body("gone", empty());
        given().auth().oauth2(OPERATOR).when().post("/admin/pools/{tenant}/evict", "no-such-tenant").then()
                .statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("urn:tenantgate:problem:unknown-tenant"));
        given().auth().oauth2(OPERATOR).when().post("/admin/pools/{tenant}/evict", "Bad Key!").then()
                .statusCode(400).body("type", equalTo("urn:tenantgate:problem:invalid-tenant-key"));
    }

    @Test
    void withLeasesOffTheLeversActOnThisReplicaAloneAndNameIt() {
        assertEquals("200", LoadClients.call(port, "/api/customers", TestTokens.forTenant(DemoServers.ACME)));
        String replica = leases.replicaId();
        given().auth().oauth2(OPERATOR).when().post("/admin/pools/{tenant}/evict", DemoServers.ACME).then()
                .statusCode(200)
                .body("evicted", equalTo(true))
                .body("replicas", hasSize(1))
                .body("replicas[0].replica", equalTo(replica))
                .body("replicas[0].evicted", equalTo(true));
        assertFalse(pools.hasPool(DemoServers.ACME));
    }

    @Test
    void theFleetViewListsEachReplicasPoolsUnderItsName() {
        assertEquals("200", LoadClients.call(port, "/api/customers", TestTokens.forTenant(DemoServers.ACME)));
        String replica = leases.replicaId();
        given().auth().oauth2(OPERATOR).when().get("/admin/fleet/pools").then().statusCode(200)
                .header(AdminPoolsResource.REPLICA_HEADER, replica)
                .body("replicas.replica", contains(replica))
                .body("replicas[0].pools.tenant", hasItem(DemoServers.ACME))
                .body("replicas[0].pools.find { it.tenant == 'acme' }.lastUsed", notNullValue())
                .body("replicas[0].pools.find { it.tenant == 'acme' }.max", notNullValue())
                .body("pending", empty());
    }

    @Test
    void everyViewNamesTheReplicaThatAnswered() {
        String replica = leases.replicaId();
        for (String path : new String[] {"/admin/pools", "/admin/servers"}) {
            given().auth().oauth2(OPERATOR).when().get(path).then().statusCode(200)
                    .header(AdminPoolsResource.REPLICA_HEADER, replica);
        }
    }

    @Test
    void evictIdleRetiresOnlyPoolsWithNoWork() throws Exception {
        String acme = TestTokens.forTenant(DemoServers.ACME);
        String globex = TestTokens.forTenant(DemoServers.GLOBEX);
        assertEquals("200", LoadClients.call(port, "/api/customers", globex));
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> busy = threads.submit(() -> LoadClients.call(port, "/test/sleep?ms=1500", acme));
            assertTrue(Await.until(() -> Await.holdsConnection(pools, DemoServers.ACME), 10));
            given().auth().oauth2(OPERATOR).when().post("/admin/pools/evict-idle").then().statusCode(200)
                    .header(AdminPoolsResource.REPLICA_HEADER, leases.replicaId())
                    .body("evicted", hasItem(DemoServers.GLOBEX))
                    .body("evicted", org.hamcrest.Matchers.not(hasItem(DemoServers.ACME)))
                    .body("replicas[0].replica", equalTo(leases.replicaId()))
                    .body("replicas[0].evicted", hasItem(DemoServers.GLOBEX))
                    .body("pending", empty());
            assertTrue(pools.hasPool(DemoServers.ACME), "the busy pool stays");
            assertFalse(pools.hasPool(DemoServers.GLOBEX));
            assertEquals("200", busy.get(30, TimeUnit.SECONDS));
        }
    }
}
