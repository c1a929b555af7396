package io.tenantgate.tenant.idempotency;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.TenantApi;
import io.tenantgate.testing.TestTokens;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A POST repeated with the same Idempotency-Key does its work once, on both kinds. */
@QuarkusTest
class IdempotencyKeyTest {

    private static Response post(String token, String key, Object body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(body).when().post("/api/customers");
    }

    @BothKinds
    void fiveRepeatsSomeConcurrentCreateExactlyOneCustomerAndAnswerTheSameBody(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(kind, FreshTenants.key("idem"));
        String token = TestTokens.forTenant(tenant.key());
        Map<String, Object> body = TenantApi.customer("Ada Lovelace", "ada@example.com");
        String key = "order-" + kind + "-42";

        List<Response> responses = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Response>> concurrent = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                concurrent.add(threads.submit(() -> {
                    go.await();
                    return post(token, key, body);
                }));
            }
            go.countDown();
            for (Future<Response> f : concurrent) {
                responses.add(f.get());
            }
        }
        responses.add(post(token, key, body)); // then two more, one after the other
        responses.add(post(token, key, body));

        for (Response r : responses) {
            assertEquals(201, r.statusCode(), r.asString());
        }
        Set<String> bodies = responses.stream().map(Response::asString).collect(Collectors.toSet());
        assertEquals(1, bodies.size(), "every repeat answers the first body: " + bodies);
        assertEquals(1, responses.stream().filter(r -> "false".equals(r.header("Idempotent-Replayed"))).count(),
                "exactly one request did the work");
        assertEquals(1, FreshTenants.server(kind).queryLong(tenant.database(), "SELECT COUNT(*) FROM customer"),
                "exactly one row in the tenant's database");
        TenantApi.as(tenant.key()).get("/api/customers").statusCode(200).body(containsString("\"total\":1"));
    }

    @BothKinds
    void aKeyReusedForAnotherRequestIsRefusedAndAMalformedKeyIsABadRequest(DatabaseKind kind) throws Throwable {
        TenantRoute tenant = FreshTenants.provision(kind, FreshTenants.key("idem"));
        String token = TestTokens.forTenant(tenant.key());
        post(token, "k-1", TenantApi.customer("Grace", "grace@example.com")).then().statusCode(201);

        post(token, "k-1", TenantApi.customer("Grace", "other@example.com")).then().statusCode(422)
                .contentType("application/problem+json").body(containsString("idempotency-key-reused"));
        post(token, "bad key with spaces", TenantApi.customer("Alan", "alan@example.com")).then().statusCode(400)
                .contentType("application/problem+json").body(containsString("invalid-idempotency-key"));
        post(token, "x".repeat(256), TenantApi.customer("Alan", "alan@example.com")).then().statusCode(400);

        assertEquals(1, FreshTenants.server(kind).queryLong(tenant.database(), "SELECT COUNT(*) FROM customer"),
                "refused requests changed nothing");
    }
}
