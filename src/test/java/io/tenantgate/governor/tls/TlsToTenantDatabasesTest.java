package io.tenantgate.governor.tls;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.tenantgate.demo.embedded.EmbeddedServer;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.testing.BothKinds;
import io.tenantgate.testing.FreshTenants;
import io.tenantgate.testing.SecretsLedger;
import io.tenantgate.testing.TenantApi;
import io.tenantgate.testing.TestTokens;
import io.tenantgate.testing.TlsOnlyDatabases;
import io.tenantgate.testing.TlsServers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tenants on TLS-only servers whose certificates a private CA signs, added through
 * {@code POST /admin/tenants} and served through {@code /api/customers}, configured only as the
 * docs say (a CA bundle; a client certificate for the servers that ask for one). Each refusal is a
 * 422 {@code tenant-database-tls} (or, where the server cannot tell, {@code tenant-credentials-rejected})
 * whose detail names the cause, and stores nothing. The servers' own views prove that every tenant
 * session is encrypted: {@code pg_stat_ssl}, and MariaDB's {@code Ssl_cipher} per session.
 *
 * <p>Runs on the JVM and, as {@link TlsToTenantDatabasesIT}, against the packaged application and the
 * native executable.
 */
@QuarkusTest
@TestProfile(TlsOnlyDatabases.class)
class TlsToTenantDatabasesTest {

    /** A tenant's database on a server, not yet registered. */
    record Candidate(DatabaseKind kind, String key, String host, int port, String database, String user,
                     String password) {

        ValidatableResponse register(String tlsMode) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("key", key);
            body.put("displayName", "Tenant " + key);
            body.put("kind", kind.name());
            body.put("host", host);
            body.put("port", port);
            body.put("database", database);
            body.put("username", user);
            body.put("password", password);
            body.put("tlsMode", tlsMode);
            return given().auth().oauth2(TestTokens.operator()).contentType(ContentType.JSON).body(body)
                    .when().post("/admin/tenants").then();
        }

        void isNotStored() {
            given().auth().oauth2(TestTokens.operator()).when().get("/admin/tenants/{key}", key).then().statusCode(404);
        }

        void isServed() {
            TenantApi api = TenantApi.as(key);
            api.post("/api/customers", TenantApi.customer("Tls Customer", key + "@tls.example")).statusCode(201);
            api.get("/api/customers").statusCode(200).body("total", equalTo(1));
        }
    }

    /** A new database and user on the server of {@code kind}, reached as {@code host}. */
    static Candidate candidate(EmbeddedServer server, String host) {
        String key = FreshTenants.key("tls");
        String password = SecretsLedger.record(UUID.randomUUID().toString());
        String database = key.replace('-', '_');
        server.createDatabase(database, key, password);
        return new Candidate(server.kind(), key, host, server.port(), database, key, password);
    }

    static Candidate onTlsServer(DatabaseKind kind, String host) {
        return candidate(TlsServers.server(kind), host);
    }

    /** A database of {@link TlsServers#CLIENT_CERT_USER}, who must present a client certificate. */
    static Candidate ofClientCertificateUser(DatabaseKind kind, String host) {
        EmbeddedServer server = TlsServers.server(kind);
        String password = TlsServers.clientCertUserPassword(kind);
        String key = FreshTenants.key("x509");
        String database = key.replace('-', '_');
        server.createDatabase(database, TlsServers.CLIENT_CERT_USER);
        return new Candidate(kind, key, host, server.port(), database, TlsServers.CLIENT_CERT_USER, password);
    }

    /** Sessions of {@code user} the server itself reports as encrypted (or, {@code false}, as not). */
    static long sessions(DatabaseKind kind, String user, boolean encrypted) {
        return TlsServers.server(kind).queryLong(switch (kind) {
            case POSTGRESQL -> "SELECT COUNT(*) FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid"
                    + " WHERE a.usename = '" + user + "' AND " + (encrypted ? "" : "NOT ") + "s.ssl";
            case MYSQL -> "SELECT COUNT(*) FROM performance_schema.threads t JOIN performance_schema.status_by_thread s"
                    + " ON s.THREAD_ID = t.THREAD_ID WHERE t.PROCESSLIST_USER = '" + user + "'"
                    + " AND s.VARIABLE_NAME = 'Ssl_cipher' AND s.VARIABLE_VALUE " + (encrypted ? "<>" : "=") + " ''";
        });
    }

    static void assertEveryTenantSessionEncrypted(DatabaseKind kind, String user) {
        long encrypted = sessions(kind, user, true);
        assertTrue(encrypted > 0, "the tenant's pool has encrypted sessions on the server: " + encrypted);
        assertEquals(0, sessions(kind, user, false), "none of them unencrypted");
    }

    static void refused(ValidatableResponse answer, String type, String detail) {
        answer.statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:tenantgate:problem:" + type))
                .body("detail", containsString(detail))
                .body("detail", not(containsString("Exception")))
                .body("detail", not(containsString("password:")));
    }

    @BothKinds
    void verifyFullWithTheProvidersCaBundleIsServedAndEveryTenantSessionIsEncrypted(DatabaseKind kind) {
        Candidate tenant = onTlsServer(kind, "localhost");
        tenant.register("VERIFY_FULL").statusCode(201).body("tlsMode", equalTo("VERIFY_FULL"));
        tenant.isServed();
        assertEveryTenantSessionEncrypted(kind, tenant.user());
    }

    @BothKinds
    void verifyFullToAHostTheCertificateDoesNotNameIsRefusedAndNothingIsStored(DatabaseKind kind) {
        Candidate tenant = onTlsServer(kind, "127.0.0.1"); // the certificate names localhost only
        refused(tenant.register("VERIFY_FULL"), "tenant-database-tls", "does not name the host 127.0.0.1");
        tenant.isNotStored();
    }

    @BothKinds
    void verifyCaChecksTheCaButNotTheHost(DatabaseKind kind) {
        Candidate tenant = onTlsServer(kind, "127.0.0.1");
        tenant.register("VERIFY_CA").statusCode(201);
        tenant.isServed();
        assertEveryTenantSessionEncrypted(kind, tenant.user());
    }

    @BothKinds
    void disabledAgainstATlsOnlyServerIsRefused(DatabaseKind kind) {
        Candidate tenant = onTlsServer(kind, "localhost");
        refused(tenant.register("DISABLED"), "tenant-database-tls", "accepts TLS only");
        tenant.isNotStored();
    }

    @BothKinds
    void aCertificateSignedByACaNotTrustedIsRefused(DatabaseKind kind) {
        TlsServers.present(kind, TlsServers.otherCa());
        try {
            Candidate tenant = onTlsServer(kind, "localhost");
            refused(tenant.register("VERIFY_FULL"), "tenant-database-tls", "not signed by a CA tenantgate trusts");
            tenant.isNotStored();
        } finally {
            TlsServers.present(kind, TlsServers.providerCa());
        }
    }

    /** {@code REQUIRED} encrypts and checks nothing: a server whose CA nobody trusts is served. */
    @BothKinds
    void requiredEncryptsWithoutTrustingTheServersCa(DatabaseKind kind) {
        TlsServers.present(kind, TlsServers.otherCa());
        try {
            Candidate tenant = onTlsServer(kind, "localhost");
            tenant.register("REQUIRED").statusCode(201);
            tenant.isServed();
            assertEveryTenantSessionEncrypted(kind, tenant.user());
        } finally {
            TlsServers.present(kind, TlsServers.providerCa());
        }
    }

    @BothKinds
    void aServerWithoutTlsIsRefusedAsOfferingNone(DatabaseKind kind) {
        EmbeddedServer plain = FreshTenants.server(kind); // the run's plain-TCP servers
        Candidate tenant = candidate(plain, plain.host());
        refused(tenant.register("VERIFY_FULL"), "tenant-database-tls", "offers no TLS");
        tenant.isNotStored();
        // The same database is served without TLS, as asked.
        tenant.register("DISABLED").statusCode(201);
        tenant.isServed();
    }

    /**
     * A user who must present a client certificate (PostgreSQL {@code clientcert=verify-full},
     * MariaDB {@code REQUIRE X509}) is served where the server's settings give one; where they give
     * none (the server's other name), the answer says a client certificate is what is missing.
     */
    @BothKinds
    void aServerDemandingAClientCertificateIsServedWithTheConfiguredOneAndNamesItWithout(DatabaseKind kind) {
        Candidate withCertificate = ofClientCertificateUser(kind, "localhost");
        withCertificate.register("VERIFY_FULL").statusCode(201);
        withCertificate.isServed();
        assertEveryTenantSessionEncrypted(kind, TlsServers.CLIENT_CERT_USER);

        Candidate without = ofClientCertificateUser(kind, "127.0.0.1");
        ValidatableResponse answer = without.register("VERIFY_CA");
        if (kind == DatabaseKind.POSTGRESQL) {
            refused(answer, "tenant-database-tls", "demands a client certificate and none is configured");
        } else {
            // MariaDB answers a missing certificate with the same error as a wrong password.
            refused(answer, "tenant-credentials-rejected", "requires a client certificate");
        }
        without.isNotStored();
    }
}
