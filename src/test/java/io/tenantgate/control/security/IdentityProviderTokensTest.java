package io.tenantgate.control.security;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.IdentityProvider;
import io.tenantgate.testing.Management;
import io.tenantgate.testing.MetricSamples;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static io.tenantgate.control.security.KeycloakShapedTokens.CACHE_ENTRIES;
import static io.tenantgate.control.security.KeycloakShapedTokens.IDP;
import static io.tenantgate.control.security.KeycloakShapedTokens.TENANT_CLAIM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokens from an identity provider served over HTTP by the test ({@link IdentityProvider}): its
 * issuer, its claim layout, keys it publishes, rotates and withdraws without tenantgate restarting,
 * and the verified-token cache ({@link VerifiedTokens}) held to the rules of a fresh verification.
 * The methods run in order: keys k1, then k2, are published and k1 withdrawn along the way.
 */
@QuarkusTest
@TestProfile(KeycloakShapedTokens.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IdentityProviderTokensTest {

    private static final String CUSTOMERS = "/api/customers";
    private static final int SHORT_MAX_AGE_SECONDS = 2;
    private static String tenant;

    @BeforeAll
    static void tenant() throws Throwable {
        tenant = FreshTenants.key("idp");
        FreshTenants.provision(DatabaseKind.POSTGRESQL, tenant);
    }

    @Test
    @Order(1)
    void aTokenOfTheProvidersIssuerWithRolesUnderRealmAccessAndANamespacedTenantClaimIsServed() {
        String token = IDP.tenantToken("k1", TENANT_CLAIM, tenant, "user");
        assertEquals(200, status(token, CUSTOMERS));
        assertEquals(401, status(IDP.tenantToken("k1", "tenant", tenant, "user"), CUSTOMERS),
                "the tenant in a claim of another name is no tenant");
    }

    @Test
    @Order(2)
    void tokensWithUnknownKidsRefreshTheJwksAtMostOncePerForcedRefreshInterval() throws Exception {
        // jose4j skips a read within 300 ms of the last one; the first read (test 1) is older than that.
        Thread.sleep(1_000);
        int before = IDP.jwksRequests();
        int tokens = 400;
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < tokens; i++) {
                String token = IDP.unknownKidToken("made-up-" + i, TENANT_CLAIM, tenant);
                answers.add(clients.submit(() -> status(token, CUSTOMERS)));
            }
            for (Future<Integer> answer : answers) {
                assertEquals(401, answer.get());
            }
        } finally {
            clients.shutdownNow();
        }
        int refreshes = IDP.jwksRequests() - before;
        System.out.printf("%d tokens with unknown kids: %d JWKS request(s)%n", tokens, refreshes);
        // The first unknown kid reads the key set again (that is how a new key is found); the rest wait.
        assertEquals(1, refreshes, tokens + " unknown kids made " + refreshes + " JWKS requests");
    }

    /**
     * The key set is read again for a token whose kid it lacks, once the forced-refresh interval
     * (1 minute) has passed since the last such read: the unknown kids above just used it.
     */
    @Test
    @Order(3)
    void aTokenSignedByANewlyPublishedKeyIsAcceptedWithoutARestart() throws InterruptedException {
        IDP.maxAge(SHORT_MAX_AGE_SECONDS); // from the next read on, for the withdrawal below
        IDP.publish("k2");
        String token = IDP.tenantToken("k2", TENANT_CLAIM, tenant, "user");
        long published = System.nanoTime();
        assertTrue(Await.until(() -> status(token, CUSTOMERS) == 200, 75),
                "served within the forced-refresh interval of the key's publication");
        System.out.printf("new key: its token served %d ms after it was published%n",
                (System.nanoTime() - published) / 1_000_000);
    }

    @Test
    @Order(4)
    void aWithdrawnKeysTokensAreRefusedOnceTheJwksIsRefreshedCachedOrNot() throws InterruptedException {
        String cached = IDP.tenantToken("k1", TENANT_CLAIM, tenant, "user");
        double hits = hits();
        assertEquals(200, status(cached, CUSTOMERS));
        assertEquals(200, status(cached, CUSTOMERS));
        assertTrue(hits() > hits, "the second request was a cache hit");
        String other = IDP.tenantToken("k2", TENANT_CLAIM, tenant, "user");
        assertEquals(200, status(other, CUSTOMERS));

        IDP.withdraw("k1");
        long withdrawn = System.nanoTime();
        assertTrue(Await.until(() -> status(cached, CUSTOMERS) == 401, 2 * SHORT_MAX_AGE_SECONDS + 2),
                "the cached token of a withdrawn key is refused after the refresh");
        System.out.printf("withdrawn key: its cached token refused %d ms after the JWKS dropped it (max-age %d s)%n",
                (System.nanoTime() - withdrawn) / 1_000_000, SHORT_MAX_AGE_SECONDS);
        assertEquals(401, status(IDP.tenantToken("k1", TENANT_CLAIM, tenant, "user"), CUSTOMERS),
                "a fresh token of the withdrawn key too");
        assertEquals(200, status(other, CUSTOMERS), "the remaining key's tokens are served");
    }

    @Test
    @Order(5)
    void aTokenThatDiffersFromACachedOneInOneByteIsVerifiedAfreshAndRefused() {
        String token = IDP.tenantToken("k2", TENANT_CLAIM, tenant, "user");
        assertEquals(200, status(token, CUSTOMERS));
        assertEquals(200, status(token, CUSTOMERS));
        String[] parts = token.split("\\.");
        for (int part = 0; part < 3; part++) {
            String[] changed = parts.clone();
            changed[part] = flipOneCharacter(parts[part]);
            String altered = String.join(".", changed);
            assertEquals(401, status(altered, CUSTOMERS), "one byte changed in part " + part);
        }
        assertEquals(200, status(token, CUSTOMERS), "the original is still served");
    }

    @Test
    @Order(6)
    void aCachedTokenPastItsExpiryIsRefused() throws Exception {
        String token = IDP.expiringTenantToken("k2", TENANT_CLAIM, tenant, 3);
        assertEquals(200, status(token, CUSTOMERS));
        double hits = hits();
        assertEquals(200, status(token, CUSTOMERS));
        assertTrue(hits() > hits, "served from the cache");
        // exp + the clock skew of 1 s, and a second for the clocks' granularity.
        Thread.sleep(5_000);
        assertEquals(401, status(token, CUSTOMERS));
    }

    @Test
    @Order(7)
    void aFullCacheStillVerifiesEveryTokenCorrectly() throws InterruptedException {
        double evictions = MetricSamples.sum(metrics(), "cache_evictions_total", "cache=\"tenantgate.tokens\"");
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 3 * CACHE_ENTRIES; i++) {
            tokens.add(IDP.tenantToken("k2", TENANT_CLAIM, tenant, "user"));
        }
        for (int round = 0; round < 2; round++) {
            for (String token : tokens) {
                assertEquals(200, status(token, CUSTOMERS));
                assertEquals(401, status(IDP.unknownKidToken("k2", TENANT_CLAIM, tenant), CUSTOMERS),
                        "signed by another key under a known kid");
            }
        }
        assertTrue(Await.until(() -> MetricSamples.sum(metrics(), "cache_evictions_total",
                "cache=\"tenantgate.tokens\"") > evictions, 5), "the cache evicted entries");
        assertTrue(MetricSamples.sum(metrics(), "cache_size", "cache=\"tenantgate.tokens\"") <= CACHE_ENTRIES);
    }

    @Test
    @Order(8)
    void operatorsAndTenantUsersStayApartWhenTheirTokensAreCached() {
        String operator = IDP.operatorToken("k2");
        String tenantWithOperatorRole = IDP.tenantToken("k2", TENANT_CLAIM, tenant, "operator", "user");
        for (int round = 0; round < 3; round++) {
            assertEquals(200, status(operator, "/admin/tenants/" + tenant), "round " + round);
            assertEquals(403, status(tenantWithOperatorRole, "/admin/tenants/" + tenant), "round " + round);
            assertEquals(200, status(tenantWithOperatorRole, CUSTOMERS), "round " + round);
            assertEquals(401, status(operator, CUSTOMERS), "an operator has no tenant; round " + round);
        }
    }

    private static int status(String token, String path) {
        return given().auth().oauth2(token).get(path).then().extract().statusCode();
    }

    private static String metrics() {
        return Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private static double hits() {
        return MetricSamples.sum(metrics(), "cache_gets_total", "cache=\"tenantgate.tokens\"", "result=\"hit\"");
    }

    private static String flipOneCharacter(String part) {
        int at = part.length() / 2;
        char replacement = part.charAt(at) == 'A' ? 'B' : 'A';
        return part.substring(0, at) + replacement + part.substring(at + 1);
    }
}
