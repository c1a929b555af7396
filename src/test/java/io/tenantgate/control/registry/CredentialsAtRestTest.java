package io.tenantgate.control.registry;

import io.quarkus.test.junit.QuarkusTest;
import io.tenantgate.demo.embedded.DemoServers;
import io.tenantgate.testing.RealDatabases;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Passwords are never stored in plain text, and a reference stores no secret at all. */
@QuarkusTest
class CredentialsAtRestTest {

    private static long registryCount(String sql) {
        return RealDatabases.servers().registry().queryLong("tenantgate", sql);
    }

    @Test
    void inlinePasswordIsStoredEncryptedNeverInPlainText() {
        String password = RealDatabases.servers().config().get("tenantgate.demo.acme-password");
        assertEquals(1, registryCount("SELECT COUNT(*) FROM tenant"
                + " WHERE tenant_key = 'acme' AND password_encrypted LIKE 'v1:%' AND password_ref IS NULL"));
        assertEquals(0, registryCount("SELECT COUNT(*) FROM tenant"
                + " WHERE password_encrypted LIKE '%" + password + "%'"));
        // Not merely encoded: the stored bytes do not contain the password either.
        assertEquals(0, registryCount("SELECT COUNT(*) FROM tenant WHERE tenant_key = 'acme'"
                + " AND position(convert_to('" + password + "', 'UTF8') in decode(substr(password_encrypted, 4), 'base64')) > 0"));
        assertEquals(1, registryCount("SELECT COUNT(*) FROM tenant WHERE tenant_key = 'acme'"
                + " AND length(decode(substr(password_encrypted, 4), 'base64')) = 12 + " + password.length() + " + 16"),
                "IV + ciphertext + GCM tag");
    }

    @Test
    void referencedPasswordStoresOnlyTheReference() {
        assertEquals(1, registryCount("SELECT COUNT(*) FROM tenant WHERE tenant_key = 'globex'"
                + " AND password_encrypted IS NULL AND password_ref = 'config:tenantgate.tenant-secrets.globex'"));
        // and the reference resolves: globex is served
        given().auth().oauth2(io.tenantgate.testing.TestTokens.forTenant(DemoServers.GLOBEX)).get("/api/customers")
                .then().statusCode(200);
    }
}
