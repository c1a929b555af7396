package io.tenantgate.lifecycle;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.tenantgate.demo.DemoServers;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.LoadClients;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances of the packaged service on one registry: a tenant suspended through the first is
 * refused by the second, whose pool for it is retired, and re-activation reaches it too.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(RealDatabases.class)
class TwoReplicasIT {

    private static final String OPERATOR = TestTokens.forTenant("ops", "operator");

    @Test
    void aChangeMadeThroughOneReplicaIsObservedByTheOther() throws Exception {
        int portB;
        try (ServerSocket socket = new ServerSocket(0)) {
            portB = socket.getLocalPort();
        }
        Process replicaB = startSecondReplica(portB);
        try {
            assertTrue(Await.until(() -> ready(portB), 90), "the second replica started");
            String globex = TestTokens.forTenant(DemoServers.GLOBEX);
            assertEquals("200", LoadClients.call(portB, "/api/customers", globex), "served by the second replica");
            assertTrue(poolsOf(portB).contains("\"tenant\":\"globex\""), "the second replica has a pool for it");

            long start = System.nanoTime();
            given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body(Map.of("status", "SUSPENDED"))
                    .when().patch("/admin/tenants/{key}", DemoServers.GLOBEX).then().statusCode(200);
            assertTrue(Await.until(() -> "403".equals(LoadClients.call(portB, "/api/customers", globex)), 30),
                    "the second replica refuses the suspended tenant");
            long seen = (System.nanoTime() - start) / 1_000_000;
            assertTrue(Await.until(() -> !poolsOf(portB).contains("\"tenant\":\"globex\""), 15),
                    "the second replica retired its pool");

            given().auth().oauth2(OPERATOR).contentType(ContentType.JSON).body(Map.of("status", "ACTIVE"))
                    .when().patch("/admin/tenants/{key}", DemoServers.GLOBEX).then().statusCode(200);
            assertTrue(Await.until(() -> "200".equals(LoadClients.call(portB, "/api/customers", globex)), 30),
                    "re-activation reaches the second replica");
            System.out.printf("a suspension made through replica A was enforced by replica B after %d ms%n", seen);
        } finally {
            replicaB.destroy();
            if (!replicaB.waitFor(30, TimeUnit.SECONDS)) {
                replicaB.destroyForcibly();
            }
        }
    }

    /** The same package, the same registry and keys, another port, as Kubernetes would run it. */
    private static Process startSecondReplica(int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        RealDatabases.servers().config().forEach((name, value) -> command.add("-D" + name + "=" + value));
        command.add("-Dquarkus.http.port=" + port);
        command.add("-jar");
        command.add(Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString());
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Path.of("target/quarkus-it-replica-b.log").toFile()).start();
    }

    private static boolean ready(int port) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + port + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String poolsOf(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                    URI.create("http://localhost:" + port + "/admin/pools"))
                            .header("Authorization", "Bearer " + OPERATOR).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
