package io.tenantgate.control.lifecycle;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.PackagedReplica;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances of the packaged service on one registry: a tenant suspended through the first is
 * refused by the second, whose pool for it is retired, and re-activation reaches it too.
 */
@QuarkusIntegrationTest
class TwoReplicasIT {

    private static final String OPERATOR = TestTokens.operator();

    @Test
    void aChangeMadeThroughOneReplicaIsObservedByTheOther() throws Exception {
        try (PackagedReplica replicaB = PackagedReplica.start("replica-b")) {
            int portB = replicaB.port();
            String globex = TestTokens.forTenant(DemoServers.GLOBEX);
            assertEquals("200", LoadClients.call(portB, "/api/customers", globex), "served by the second replica");
            assertTrue(poolsOf(replicaB).contains("\"tenant\":\"globex\""), "the second replica has a pool for it");

            long start = System.nanoTime();
            given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body(Map.of("status", "SUSPENDED"))
                    .when().patch("/admin/tenants/{key}", DemoServers.GLOBEX).then().statusCode(200);
            assertTrue(Await.until(() -> "403".equals(LoadClients.call(portB, "/api/customers", globex)), 30),
                    "the second replica refuses the suspended tenant");
            long seen = (System.nanoTime() - start) / 1_000_000;
            assertTrue(Await.until(() -> !poolsOf(replicaB).contains("\"tenant\":\"globex\""), 15),
                    "the second replica retired its pool");

            given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body(Map.of("status", "ACTIVE"))
                    .when().patch("/admin/tenants/{key}", DemoServers.GLOBEX).then().statusCode(200);
            assertTrue(Await.until(() -> "200".equals(LoadClients.call(portB, "/api/customers", globex)), 30),
                    "re-activation reaches the second replica");
            System.out.printf("a suspension made through replica A was enforced by replica B after %d ms%n", seen);
        }
    }

    private static String poolsOf(PackagedReplica replica) {
        return replica.send(HttpRequest.newBuilder(replica.uri("/admin/pools")), OPERATOR).body();
    }
}
