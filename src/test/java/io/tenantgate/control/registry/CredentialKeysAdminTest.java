package io.tenantgate.control.registry;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.tenantgate.testing.Await;
import io.tenantgate.testing.RealDatabases;
import io.tenantgate.testing.TestTokens;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The keyring as operators see it: the census comes from the registry (so it counts what is really
 * stored), re-encryption under the key already current changes no row, and only operators see or
 * start either. The rotation itself, across replicas and under load, is {@code KeyringRotationIT}.
 */
@QuarkusTest
class CredentialKeysAdminTest {

    private static long registryCount(String sql) {
        return RealDatabases.servers().registry().queryLong("tenantgate", sql);
    }

    @Test
    void censusCountsStoredPasswordsByTheKeyThatSealsThem() {
        long inline = registryCount("SELECT COUNT(*) FROM tenant WHERE password_encrypted LIKE 'v1:%'");
        assertTrue(inline >= 1, "the demo tenant acme has an inline password");
        given().auth().oauth2(TestTokens.operator()).get("/admin/credentials").then().statusCode(200)
                .body("currentKey", equalTo(CredentialCipher.LEGACY))
                .body("keyring", hasItem(CredentialCipher.LEGACY))
                .body("storedPasswords.find { it.key == 'legacy' }.tenants", equalTo((int) inline))
                .body("storedPasswords.find { it.key == 'legacy' }.inKeyring", equalTo(true))
                .body("notUnderCurrentKey", equalTo(0));
    }

    @Test
    void reEncryptionUnderTheCurrentKeyChangesNoRowAndCanBeRepeated() throws InterruptedException {
        long versions = registryCount("SELECT COALESCE(SUM(version), 0) FROM tenant");
        for (int attempt = 0; attempt < 2; attempt++) {
            given().auth().oauth2(TestTokens.operator()).post("/admin/credentials/re-encrypt").then().statusCode(202)
                    .body("currentKey", equalTo(CredentialCipher.LEGACY));
            assertTrue(Await.until(() -> "DONE".equals(run().extract().path("reEncryption.state")), 30),
                    "the run finishes");
            run().body("reEncryption.resealed", equalTo(0)).body("reEncryption.failed", equalTo(0));
        }
        assertEquals(versions, registryCount("SELECT COALESCE(SUM(version), 0) FROM tenant"), "no row was written");
    }

    @Test
    void onlyOperatorsSeeOrStartIt() {
        String user = TestTokens.forTenant("acme", "admin");
        given().auth().oauth2(user).get("/admin/credentials").then().statusCode(403)
                .contentType("application/problem+json");
        given().auth().oauth2(user).post("/admin/credentials/re-encrypt").then().statusCode(403)
                .contentType("application/problem+json");
        given().get("/admin/credentials").then().statusCode(401);
    }

    private static ValidatableResponse run() {
        return given().auth().oauth2(TestTokens.operator()).get("/admin/credentials").then().statusCode(200);
    }
}
