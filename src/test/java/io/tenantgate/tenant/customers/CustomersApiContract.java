package io.tenantgate.tenant.customers;

import io.tenantgate.testing.TenantApi;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The customers API behaves the same on every database kind. Each subclass runs it against one
 * real server through one demo tenant.
 */
abstract class CustomersApiContract {

    private static final String PROBLEM = "application/problem+json";

    /** The demo tenant whose database kind this run covers. */
    abstract String tenant();

    TenantApi api() {
        return TenantApi.as(tenant());
    }

    static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void createReadUpdateDeleteRoundTrip() {
        String email = unique("Round.Trip") + "@Example.com";
        String location = api().post("/api/customers", TenantApi.customer("Round Trip", email))
                .statusCode(201)
                .header("Location", containsString("/api/customers/"))
                .body("name", equalTo("Round Trip"))
                .body("email", equalTo(email.toLowerCase()))
                .body("createdAt", notNullValue())
                .extract().header("Location");
        String id = location.substring(location.lastIndexOf('/') + 1);

        api().get("/api/customers/{id}", id).statusCode(200).body("id", equalTo(id)).body("phone", equalTo("+1 555 0199"));

        api().put("/api/customers/{id}", Map.of("name", "Renamed", "email", email), id)
                .statusCode(200).body("name", equalTo("Renamed")).body("id", equalTo(id));
        api().get("/api/customers/{id}", id).statusCode(200).body("name", equalTo("Renamed"));

        api().delete("/api/customers/{id}", id).statusCode(204);
        api().get("/api/customers/{id}", id).statusCode(404).contentType(PROBLEM)
                .body("type", equalTo("urn:tenantgate:problem:customer-not-found"));
        api().delete("/api/customers/{id}", id).statusCode(404);
    }

    @Test
    void pagesAreDisjointNewestFirstAndCountTheMatches() {
        String marker = unique("pager");
        for (int i = 0; i < 5; i++) {
            api().post("/api/customers", TenantApi.customer(marker + " " + i, marker + i + "@example.com")).statusCode(201);
        }
        Set<String> seen = new HashSet<>();
        int[] expectedSizes = {2, 2, 1};
        for (int page = 0; page < 3; page++) {
            List<String> names = api().get("/api/customers?q=" + marker + "&size=2&page=" + page)
                    .statusCode(200)
                    .body("total", equalTo(5))
                    .body("page", equalTo(page))
                    .body("size", equalTo(2))
                    .body("items", hasSize(expectedSizes[page]))
                    .extract().jsonPath().getList("items.name");
            names.forEach(name -> assertTrue(seen.add(name), "page repeats " + name));
            if (page == 0) {
                assertEquals(marker + " 4", names.get(0), "newest first");
            }
        }
        assertEquals(5, seen.size());
        api().get("/api/customers?q=" + marker + "&size=2&page=3").statusCode(200).body("items", hasSize(0));
    }

    @Test
    void searchTreatsTheEscapeCharacterLiterallyToo() {
        String marker = unique("bang");
        api().post("/api/customers", TenantApi.customer("Bang! " + marker, unique("b") + "@example.com")).statusCode(201);
        api().get("/api/customers?q=bang! " + marker).statusCode(200).body("total", equalTo(1));
        api().get("/api/customers?q=bang!" + marker).statusCode(200).body("total", equalTo(0));
    }

    @Test
    void searchMatchesNameOrEmailCaseInsensitivelyAndTreatsWildcardsLiterally() {
        String marker = unique("finder");
        api().post("/api/customers", TenantApi.customer("Zed " + marker.toUpperCase(), unique("z") + "@example.com"))
                .statusCode(201);
        api().post("/api/customers", TenantApi.customer("Other", marker + "@mail.example")).statusCode(201);
        api().get("/api/customers?q=" + marker).statusCode(200).body("total", equalTo(2));
        api().get("/api/customers?q=" + marker.substring(0, 4) + "%25" + marker.substring(5)).statusCode(200)
                .body("total", equalTo(0));
    }

    @Test
    void duplicateEmailIsAConflictAndStoresNothing() {
        String email = unique("dup") + "@example.com";
        api().post("/api/customers", TenantApi.customer("First", email)).statusCode(201);
        api().post("/api/customers", TenantApi.customer("Second", email.toUpperCase()))
                .statusCode(409).contentType(PROBLEM).body("type", equalTo("urn:tenantgate:problem:duplicate-email"));
        api().get("/api/customers?q=" + email).statusCode(200).body("total", equalTo(1)).body("items[0].name", equalTo("First"));
    }

    @Test
    void updateToAnotherCustomersEmailIsAConflict() {
        String taken = unique("taken") + "@example.com";
        api().post("/api/customers", TenantApi.customer("Holder", taken)).statusCode(201);
        String id = api().post("/api/customers", TenantApi.customer("Mover", unique("m") + "@example.com"))
                .statusCode(201).extract().path("id");
        api().put("/api/customers/{id}", Map.of("name", "Mover", "email", taken), id).statusCode(409);
        api().get("/api/customers/{id}", id).statusCode(200).body("email", startsWith("m"));
    }

    @Test
    void badInputIsA400ProblemAndChangesNothing() {
        String marker = unique("bad");
        given().auth().oauth2(api().token()).contentType("application/json").body("{\"name\": \"" + marker)
                .post("/api/customers").then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("urn:tenantgate:problem:malformed-body"));
        given().auth().oauth2(api().token()).contentType("application/json")
                .body("{\"name\": [1], \"email\": \"" + marker + "@example.com\"}")
                .post("/api/customers").then().statusCode(400).contentType(PROBLEM);
        api().post("/api/customers", Map.of("name", marker, "email", marker + "@example.com", "emial", "typo"))
                .statusCode(400).contentType(PROBLEM).body("detail", containsString("emial"));
        api().post("/api/customers", Map.of("name", "x".repeat(201), "email", marker + "@example.com"))
                .statusCode(400).contentType(PROBLEM).body("type", equalTo("urn:tenantgate:problem:validation"))
                .body("errors[0].field", equalTo("name"));
        api().post("/api/customers", Map.of("name", marker, "email", "not-an-email"))
                .statusCode(400).contentType(PROBLEM).body("errors[0].field", equalTo("email"));
        api().post("/api/customers", Map.of("email", marker + "@example.com")).statusCode(400).contentType(PROBLEM);
        given().auth().oauth2(api().token()).contentType("application/json").post("/api/customers")
                .then().statusCode(400).contentType(PROBLEM);
        api().get("/api/customers?size=101").statusCode(400).contentType(PROBLEM);
        api().get("/api/customers?page=-1").statusCode(400).contentType(PROBLEM);
        api().get("/api/customers?page=abc").statusCode(400).contentType(PROBLEM);
        api().get("/api/customers?size=1.5").statusCode(400).contentType(PROBLEM);
        api().get("/api/customers/{id}", "42").statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("urn:tenantgate:problem:invalid-id"));
        api().get("/api/customers?q=" + marker).statusCode(200).body("total", equalTo(0));
    }

    /**
     * Input either database would refuse, or store wrongly, is refused first: a NUL byte or a lone
     * surrogate in a name, an e-mail that outgrows its column when lower-cased, a number where a
     * string belongs, trailing garbage after the object, an empty Idempotency-Key. All 400, and
     * nothing is stored.
     */
    @Test
    void inputADatabaseWouldRejectIsA400BeforeItGetsThereAndStoresNothing() {
        String marker = unique("nul");
        for (String name : List.of(marker + "\\u0000x", marker + "\\ud800x", marker + "\\u0007", marker + "\\n2nd line")) {
            given().auth().oauth2(api().token()).contentType("application/json")
                    .body("{\"name\": \"" + name + "\", \"email\": \"" + unique("n") + "@example.com\"}")
                    .post("/api/customers").then().statusCode(400).contentType(PROBLEM)
                    .body("type", equalTo("urn:tenantgate:problem:validation")).body("errors[0].field", equalTo("name"));
        }
        // 64 dotted capital Is: 64 characters, 128 once lower-cased; with the domain, 245 become 309.
        String growing = "\u0130".repeat(64) + "@" + "d".repeat(60) + "." + "e".repeat(60) + "." + "f".repeat(50)
                + ".example";
        given().auth().oauth2(api().token()).contentType("application/json")
                .body("{\"name\": \"" + marker + "\", \"email\": \"" + growing + "\"}")
                .post("/api/customers").then().statusCode(400).contentType(PROBLEM)
                .body("errors[0].field", equalTo("email"));
        given().auth().oauth2(api().token()).contentType("application/json")
                .body("{\"name\": 42, \"email\": \"" + unique("n") + "@example.com\"}")
                .post("/api/customers").then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("urn:tenantgate:problem:malformed-body"));
        given().auth().oauth2(api().token()).contentType("application/json")
                .body("{\"name\": \"" + marker + "\", \"email\": \"" + marker + "@example.com\"} trailing")
                .post("/api/customers").then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("urn:tenantgate:problem:malformed-body"));
        given().auth().oauth2(api().token()).contentType("application/json").header("Idempotency-Key", "")
                .body(Map.of("name", marker, "email", marker + "@example.com"))
                .post("/api/customers").then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("urn:tenantgate:problem:invalid-idempotency-key"));
        api().get("/api/customers?q=" + marker).statusCode(200).body("total", equalTo(0));
    }

    @Test
    void unknownIdIsA404Problem() {
        String id = UUID.randomUUID().toString();
        api().get("/api/customers/{id}", id).statusCode(404).contentType(PROBLEM);
        api().put("/api/customers/{id}", TenantApi.customer("Ghost", unique("g") + "@example.com"), id).statusCode(404);
        api().delete("/api/customers/{id}", id).statusCode(404);
    }

    @Test
    void oversizedBodyIsA413Problem() {
        api().post("/api/customers", Map.of("name", "x".repeat(70_000), "email", "big@example.com"))
                .statusCode(413).contentType(PROBLEM);
    }
}
