package io.tenantgate.governor.tls;

import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.testing.TestPki;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the TLS files are read, without a server: what start-up refuses (naming the property and the
 * file), which CAs each server's connections trust, which key formats a client certificate may
 * come in, and what a change of the files does to the next connection attempt.
 */
class DatabaseTlsFilesTest {

    private static Vertx vertx;
    private static TestPki.Ca providerCa;
    private static TestPki.Ca otherCa;
    private static X509Certificate[] providerChain;
    private static X509Certificate[] otherChain;

    @TempDir
    Path dir;

    @BeforeAll
    static void pki() throws GeneralSecurityException {
        vertx = Vertx.vertx();
        providerCa = TestPki.ca("files test provider CA");
        otherCa = TestPki.ca("files test other CA");
        providerChain = chain(providerCa.server("db.example.internal"));
        otherChain = chain(otherCa.server("db.example.internal"));
    }

    @AfterAll
    static void close() {
        vertx.close();
    }

    private static X509Certificate[] chain(TestPki.Issued issued) throws GeneralSecurityException {
        return new X509Certificate[] {(X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(issued.certificatePem().getBytes(StandardCharsets.US_ASCII)))};
    }

    /** Settings as SmallRye would map them, for the few a test sets. */
    private record Settings(Optional<List<String>> caFiles, Optional<Boolean> trustDefaultCas,
                            Optional<String> clientCertFile, Optional<String> clientKeyFile,
                            Map<String, DatabaseTlsConfig.Server> servers) implements DatabaseTlsConfig {

        static Settings none() {
            return new Settings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
        }

        Settings cas(Path... files) {
            return new Settings(Optional.of(java.util.Arrays.stream(files).map(Path::toString).toList()), trustDefaultCas,
                    clientCertFile, clientKeyFile, servers);
        }

        Settings defaults(boolean trust) {
            return new Settings(caFiles, Optional.of(trust), clientCertFile, clientKeyFile, servers);
        }

        Settings client(Path cert, Path key) {
            return new Settings(caFiles, trustDefaultCas, Optional.ofNullable(cert).map(Path::toString),
                    Optional.ofNullable(key).map(Path::toString), servers);
        }

        Settings server(String server, DatabaseTlsConfig.Server entry) {
            Map<String, DatabaseTlsConfig.Server> all = new HashMap<>(servers);
            all.put(server, entry);
            return new Settings(caFiles, trustDefaultCas, clientCertFile, clientKeyFile, all);
        }

        @Override
        public Duration reloadPeriod() {
            return Duration.ofHours(1); // the tests call reload() themselves
        }
    }

    private record Entry(Optional<List<String>> caFiles, Optional<Boolean> trustDefaultCas,
                         Optional<String> clientCertFile, Optional<String> clientKeyFile)
            implements DatabaseTlsConfig.Server {
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static <T> T started(Settings settings, java.util.function.Function<DatabaseTls, T> use) {
        DatabaseTls tls = new DatabaseTls(settings, vertx);
        try {
            return use.apply(tls);
        } finally {
            tls.stop();
        }
    }

    private static String refusal(Supplier<DatabaseTls> start) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> start.get().stop());
        return e.getMessage();
    }

    private static boolean trusts(TlsAttempt attempt, X509Certificate[] chain) {
        try {
            attempt.trustManager().checkServerTrusted(chain, "RSA");
            return true;
        } catch (CertificateException e) {
            return false;
        }
    }

    @Test
    void aMissingCaFileFailsStartUpNamingThePropertyAndTheFile() {
        Path missing = dir.resolve("no-such-bundle.pem");
        String message = refusal(() -> new DatabaseTls(Settings.none().cas(missing), vertx));
        assertTrue(message.contains("tenantgate.database-tls.ca-files") && message.contains(missing.toString()), message);
    }

    @Test
    void aCaFileWithoutCertificatesFailsStartUpNamingThePropertyAndTheFile() throws IOException {
        Path notPem = write("bundle.pem", "this is not a certificate\n");
        String message = refusal(() -> new DatabaseTls(Settings.none().cas(notPem), vertx));
        assertTrue(message.contains("tenantgate.database-tls.ca-files") && message.contains("no PEM certificate")
                && message.contains(notPem.toString()), message);
        Path broken = write("broken.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        String brokenMessage = refusal(() -> new DatabaseTls(Settings.none().cas(broken), vertx));
        assertTrue(brokenMessage.contains("tenantgate.database-tls.ca-files") && brokenMessage.contains(broken.toString()),
                brokenMessage);
    }

    @Test
    void notTrustingTheDefaultsWithoutCaFilesWouldTrustNothingAndFailsStartUp() {
        String message = refusal(() -> new DatabaseTls(Settings.none().defaults(false), vertx));
        assertTrue(message.contains("tenantgate.database-tls.trust-default-cas")
                && message.contains("tenantgate.database-tls.ca-files"), message);
    }

    @Test
    void aClientCertificateNeedsItsKeyAndAKeyItsCertificate() throws IOException {
        TestPki.Issued client = providerCa.client("tenantgate");
        Path cert = write("client.crt", client.certificatePem());
        Path key = write("client.key", client.privateKeyPem());
        String noKey = refusal(() -> new DatabaseTls(Settings.none().client(cert, null), vertx));
        assertTrue(noKey.contains("tenantgate.database-tls.client-key-file"), noKey);
        String noCert = refusal(() -> new DatabaseTls(Settings.none().client(null, key), vertx));
        assertTrue(noCert.contains("tenantgate.database-tls.client-cert-file"), noCert);
    }

    @Test
    void aKeyThatIsNotTheCertificatesFailsStartUpWithoutQuotingIt() throws IOException {
        TestPki.Issued client = providerCa.client("tenantgate");
        TestPki.Issued stranger = providerCa.client("stranger");
        Path cert = write("client.crt", client.certificatePem());
        Path key = write("client.key", stranger.privateKeyPem());
        String message = refusal(() -> new DatabaseTls(Settings.none().client(cert, key), vertx));
        assertTrue(message.contains("tenantgate.database-tls.client-key-file") && message.contains("not the one"), message);
        String keyMaterial = stranger.privateKeyPem().lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        assertFalse(message.contains(keyMaterial), "no key material in the message");
    }

    @Test
    void clientKeysAreReadAsPkcs1RsaPkcs8AndSec1Ec() throws IOException {
        Map<String, TestPki.Issued> forms = Map.of(
                "PKCS#1", providerCa.client("pkcs1"),        // BEGIN RSA PRIVATE KEY
                "PKCS#8", providerCa.server("pkcs8"),        // BEGIN PRIVATE KEY
                "SEC1", providerCa.clientEc("sec1"));        // BEGIN EC PRIVATE KEY
        for (var form : forms.entrySet()) {
            Path cert = write(form.getKey() + ".crt", form.getValue().certificatePem());
            Path key = write(form.getKey() + ".key", form.getValue().privateKeyPem());
            boolean presented;
            try {
                presented = started(Settings.none().client(cert, key), tls -> tls.presentsClientCertificate("db:5432"));
            } catch (RuntimeException e) {
                throw new AssertionError(form.getKey() + ": " + e.getMessage() + "\n" + form.getValue().privateKeyPem(), e);
            }
            assertTrue(presented, form.getKey() + " key read");
        }
    }

    @Test
    void withoutCaFilesTheJvmDefaultsAreTrustedAndWithThemOnlyTheFilesUnlessAskedForBoth() throws IOException {
        Path bundle = write("bundle.pem", TestPki.bundle(100, providerCa));
        int defaults = started(Settings.none(), tls -> tls.attempt("db:5432", TlsMode.VERIFY_FULL)
                .trustManager().getAcceptedIssuers().length);
        assertTrue(defaults > 50, "the JVM's CAs: " + defaults);
        int bundleOnly = started(Settings.none().cas(bundle), tls -> tls.attempt("db:5432", TlsMode.VERIFY_FULL)
                .trustManager().getAcceptedIssuers().length);
        assertEquals(100, bundleOnly, "the bundle's certificates, every one of them, and nothing else");
        int both = started(Settings.none().cas(bundle).defaults(true), tls -> tls.attempt("db:5432", TlsMode.VERIFY_FULL)
                .trustManager().getAcceptedIssuers().length);
        assertEquals(100 + defaults, both);
    }

    @Test
    void aServerEntryReplacesOnlyTheSettingsItNames() throws IOException {
        Path providerBundle = write("provider.pem", providerCa.certificatePem());
        Path otherBundle = write("other.pem", otherCa.certificatePem());
        TestPki.Issued client = providerCa.client("tenantgate");
        Path cert = write("client.crt", client.certificatePem());
        Path key = write("client.key", client.privateKeyPem());
        Settings settings = Settings.none().cas(providerBundle)
                .server("other.internal:5432", new Entry(Optional.of(List.of(otherBundle.toString())), Optional.empty(),
                        Optional.empty(), Optional.empty()))
                .server("certified.internal:3306", new Entry(Optional.empty(), Optional.empty(),
                        Optional.of(cert.toString()), Optional.of(key.toString())));
        started(settings, tls -> {
            assertTrue(trusts(tls.attempt("any.internal:5432", TlsMode.VERIFY_CA), providerChain));
            assertFalse(trusts(tls.attempt("any.internal:5432", TlsMode.VERIFY_CA), otherChain));
            assertTrue(trusts(tls.attempt("other.internal:5432", TlsMode.VERIFY_CA), otherChain), "its own CA");
            assertFalse(trusts(tls.attempt("other.internal:5432", TlsMode.VERIFY_CA), providerChain), "and only that");
            assertTrue(trusts(tls.attempt("certified.internal:3306", TlsMode.VERIFY_CA), providerChain), "inherited");
            assertTrue(tls.presentsClientCertificate("certified.internal:3306"));
            assertFalse(tls.presentsClientCertificate("any.internal:5432"));
            return null;
        });
        String message = refusal(() -> new DatabaseTls(Settings.none().server("no-port", new Entry(Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty())), vertx));
        assertTrue(message.contains("servers.\"no-port\"") && message.contains("host:port"), message);
    }

    @Test
    void requiredTrustsAnyCertificateAndDisabledHasNoTls() {
        started(Settings.none(), tls -> {
            assertTrue(trusts(tls.attempt("db:5432", TlsMode.REQUIRED), otherChain), "encrypted, unverified");
            assertEquals(null, tls.attempt("db:5432", TlsMode.DISABLED).trustManager());
            return null;
        });
    }

    /**
     * A renewed client certificate is presented by the next attempt. Written as two files one after
     * the other, the check that finds the new key beside the old certificate refuses the pair and
     * keeps the old one; the next check, with both written, takes the new.
     */
    @Test
    void aRenewedClientCertificateIsPresentedByTheNextAttemptOnceBothFilesAreWritten() throws IOException {
        TestPki.Issued first = providerCa.client("first");
        TestPki.Issued renewed = providerCa.client("renewed");
        Path cert = write("client.crt", first.certificatePem());
        Path key = write("client.key", first.privateKeyPem());
        started(Settings.none().client(cert, key), tls -> {
            assertEquals("CN=first", presented(tls));
            assertDoesNotThrow(() -> Files.writeString(key, renewed.privateKeyPem()));
            tls.reload();
            assertEquals("CN=first", presented(tls), "a key without its certificate is not taken");
            assertDoesNotThrow(() -> Files.writeString(cert, renewed.certificatePem()));
            tls.reload();
            assertEquals("CN=renewed", presented(tls));
            return null;
        });
    }

    private static String presented(DatabaseTls tls) {
        javax.net.ssl.X509ExtendedKeyManager keys = tls.attempt("db:5432", TlsMode.VERIFY_FULL).keyManager().orElseThrow();
        return keys.getCertificateChain(keys.getClientAliases("RSA", null)[0])[0].getSubjectX500Principal().getName();
    }

    /**
     * The next attempt after a change of the bundle uses the new file; an attempt taken before keeps
     * what it took; a change that cannot be used leaves the previous bundle in force.
     */
    @Test
    void aChangedBundleServesTheNextAttemptAndAnUnusableChangeKeepsThePrevious() throws IOException {
        Path bundle = write("bundle.pem", TestPki.bundle(10, providerCa));
        started(Settings.none().cas(bundle), tls -> {
            TlsAttempt before = tls.attempt("db:5432", TlsMode.VERIFY_FULL);
            assertTrue(trusts(before, providerChain));
            assertDoesNotThrow(() -> Files.writeString(bundle, TestPki.bundle(10, otherCa)));
            tls.reload();
            TlsAttempt after = tls.attempt("db:5432", TlsMode.VERIFY_FULL);
            assertTrue(trusts(after, otherChain), "the new CA");
            assertFalse(trusts(after, providerChain), "the retired CA no more");
            assertTrue(trusts(before, providerChain), "an attempt keeps what it took");

            assertDoesNotThrow(() -> Files.writeString(bundle, "-----BEGIN CERTIFICATE-----\nhalf writ"));
            tls.reload();
            assertTrue(trusts(tls.attempt("db:5432", TlsMode.VERIFY_FULL), otherChain), "the previous bundle stays");
            assertDoesNotThrow(() -> Files.delete(bundle));
            tls.reload();
            assertTrue(trusts(tls.attempt("db:5432", TlsMode.VERIFY_FULL), otherChain), "also when the file is gone");
            return null;
        });
    }
}
