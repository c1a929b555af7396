package io.tenantgate.platform.observability;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged application logs JSON lines, and a line written while serving a request carries
 * that request's id, route and tenant. Evicting acme's pool first makes the request log one line
 * for sure: the pool's creation.
 */
@QuarkusIntegrationTest
class JsonLogsIT {

    private static final Path LOG = Path.of("target/quarkus-it.log");

    @Test
    void requestLinesAreJsonWithRequestIdRouteAndTenant() throws InterruptedException {
        given().auth().oauth2(TestTokens.operator()).when()
                .post("/admin/pools/{tenant}/evict", DemoServers.ACME);
        String requestId = "json-logs-" + System.nanoTime();
        given().auth().oauth2(TestTokens.forTenant(DemoServers.ACME)).header("X-Request-Id", requestId)
                .when().get("/api/customers").then().statusCode(200).header("X-Request-Id", requestId);

        assertTrue(Await.until(() -> lines().stream().anyMatch(l -> l.contains(requestId)), 10),
                "a line of the request was logged");
        String line = lines().stream().filter(l -> l.contains(requestId)).findFirst().orElseThrow();
        System.out.println("prod log line: " + line);
        assertTrue(line.startsWith("{") && line.endsWith("}"), "a JSON object per line: " + line);
        assertTrue(line.contains("\"requestId\":\"" + requestId + "\""), line);
        assertTrue(line.contains("\"tenant\":\"acme\""), line);
        assertTrue(line.contains("\"route\":\"GET CustomerResource.list\""), line);
    }

    private static List<String> lines() {
        try {
            return Files.exists(LOG) ? Files.readAllLines(LOG) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
