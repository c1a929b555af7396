package io.tenantgate.governor.tls;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust and client identity as read from their files at one moment: immutable, so a connection
 * attempt that took it uses it whole however the files change meanwhile.
 *
 * <p>Trust is the JDK's own PKIX trust manager over one in-memory store: the CA certificates of the
 * configured PEM files, plus the JVM's default CAs when asked (or alone, when no file is
 * configured). The JVM's defaults come from the JDK's default {@link TrustManagerFactory}, so
 * {@code javax.net.ssl.trustStore} is honoured and a native executable uses its own store, never a
 * path under {@code java.home}. The client key is parsed by Vert.x's PEM support (PKCS#8, PKCS#1
 * RSA, SEC1 EC), and checked against its certificate, so a key that does not match is refused
 * when it is loaded rather than by the server at the first connect.
 */
final class TlsMaterial {

    private final X509ExtendedTrustManager trust;
    private final X509ExtendedKeyManager keys;
    private final String description;

    private TlsMaterial(X509ExtendedTrustManager trust, X509ExtendedKeyManager keys, String description) {
        this.trust = trust;
        this.keys = keys;
        this.description = description;
    }

    /** The PKIX trust manager over this material's CAs. */
    X509ExtendedTrustManager trust() {
        return trust;
    }

    /** The client certificate's key manager, or null when none is configured. */
    X509ExtendedKeyManager keys() {
        return keys;
    }

    /** What was loaded, for the log: files, how many CAs, the client certificate's subject. Never key material. */
    String description() {
        return description;
    }

    /** Where one scope's material comes from, with the property names that set it (for errors). */
    record Sources(List<Path> caFiles, boolean trustDefaultCas, Optional<Path> clientCertFile,
                 Optional<Path> clientKeyFile, String caProperty, String certProperty, String keyProperty) {

        List<Path> all() {
            List<Path> all = new ArrayList<>(caFiles);
            clientCertFile.ifPresent(all::add);
            clientKeyFile.ifPresent(all::add);
            return all;
        }
    }

    /** The files' contents, read once: what is loaded, and a digest that tells whether they changed. */
    record Contents(List<byte[]> caFiles, byte[] clientCert, byte[] clientKey, String digest) {
    }

    /** Reads every file of the scope (blocking: start-up or a worker thread). */
    static Contents read(Sources files) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            List<byte[]> cas = new ArrayList<>();
            for (Path file : files.caFiles()) {
                cas.add(digested(digest, readFile(file, files.caProperty())));
            }
            byte[] cert = files.clientCertFile().isPresent()
                    ? digested(digest, readFile(files.clientCertFile().get(), files.certProperty())) : null;
            byte[] key = files.clientKeyFile().isPresent()
                    ? digested(digest, readFile(files.clientKeyFile().get(), files.keyProperty())) : null;
            return new Contents(cas, cert, key, HexFormat.of().formatHex(digest.digest()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] digested(MessageDigest digest, byte[] bytes) {
        digest.update(bytes);
        digest.update((byte) 0); // file boundaries count: a byte moved from one file to the next is a change
        return bytes;
    }

    private static byte[] readFile(Path file, String property) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsMaterialException(property + ": no such file " + file);
        } catch (IOException e) {
            throw new TlsMaterialException(property + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Builds the material from what {@link #read} returned. */
    static TlsMaterial load(Sources files, Contents contents, Vertx vertx) {
        List<String> said = new ArrayList<>();
        X509ExtendedTrustManager trust = trust(files, contents, said);
        X509ExtendedKeyManager keys = null;
        if (contents.clientCert() != null) {
            keys = keys(files, contents, vertx);
            said.add("client certificate " + subjectOf(keys) + " from " + files.clientCertFile().orElseThrow());
        }
        return new TlsMaterial(trust, keys, String.join("; ", said));
    }

    private static X509ExtendedTrustManager trust(Sources files, Contents contents, List<String> said) {
        try {
            if (files.caFiles().isEmpty()) {
                said.add("the JVM's default trust store");
                return pkix(null);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int count = 0;
            Instant soonest = null;
            for (int i = 0; i < contents.caFiles().size(); i++) {
                Path file = files.caFiles().get(i);
                List<X509Certificate> certificates;
                try {
                    certificates = certificates(contents.caFiles().get(i));
                } catch (GeneralSecurityException e) {
                    throw new TlsMaterialException(files.caProperty() + ": " + file + " is not a PEM bundle of"
                            + " certificates (" + e.getMessage() + ")");
                }
                if (certificates.isEmpty()) {
                    throw new TlsMaterialException(files.caProperty() + ": " + file + " holds no PEM certificate");
                }
                for (X509Certificate certificate : certificates) {
                    store.setCertificateEntry("ca-" + count++, certificate);
                    Instant ends = certificate.getNotAfter().toInstant();
                    soonest = soonest == null || ends.isBefore(soonest) ? ends : soonest;
                }
            }
            said.add(count + " CA certificates from " + files.caFiles() + " (the earliest expiry: " + soonest + ")");
            if (files.trustDefaultCas()) {
                int defaults = 0;
                for (X509Certificate certificate : pkix(null).getAcceptedIssuers()) {
                    store.setCertificateEntry("default-" + defaults++, certificate);
                }
                said.add("and the JVM's " + defaults + " default CAs");
            }
            return pkix(store);
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsMaterialException(files.caProperty() + ": the certificates cannot be used ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    /** The JDK's PKIX trust manager over {@code store}; null: the JVM's default store. */
    private static X509ExtendedTrustManager pkix(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("the JDK offers no X.509 trust manager");
    }

    private static List<X509Certificate> certificates(byte[] pem) throws GeneralSecurityException {
        // The JDK reads any number of PEM certificates from one stream, text between them ignored.
        List<X509Certificate> certificates = new ArrayList<>();
        if (!new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            return certificates;
        }
        for (Certificate certificate : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem))) {
            certificates.add((X509Certificate) certificate);
        }
        return certificates;
    }

    private static X509ExtendedKeyManager keys(Sources files, Contents contents, Vertx vertx) {
        if (contents.clientKey() == null) {
            throw new TlsMaterialException(files.certProperty() + " is set but " + files.keyProperty() + " is not");
        }
        KeyManagerFactory factory;
        try {
            factory = new PemKeyCertOptions()
                    .addCertValue(Buffer.buffer(contents.clientCert()))
                    .addKeyValue(Buffer.buffer(contents.clientKey()))
                    .getKeyManagerFactory(vertx);
        } catch (Exception e) {
            // Vert.x's message names the PEM block it missed; it never quotes key material.
            throw new TlsMaterialException(files.certProperty() + " / " + files.keyProperty()
                    + ": not a PEM certificate and unencrypted private key (" + e.getMessage() + ")");
        }
        for (KeyManager manager : factory.getKeyManagers()) {
            if (manager instanceof X509ExtendedKeyManager x509) {
                requireMatchingKey(files, x509);
                return x509;
            }
        }
        throw new TlsMaterialException(files.certProperty() + ": the JDK offers no X.509 key manager");
    }

    /** Signs with the private key and verifies with the certificate's public key: they belong together. */
    private static void requireMatchingKey(Sources files, X509ExtendedKeyManager keys) {
        String alias = aliasOf(keys);
        PrivateKey key = keys.getPrivateKey(alias);
        X509Certificate certificate = keys.getCertificateChain(alias)[0];
        try {
            String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
            byte[] probe = "tenantgate".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new TlsMaterialException(files.keyProperty() + ": the key is not the one of the certificate in "
                        + files.certProperty());
            }
        } catch (GeneralSecurityException e) {
            throw new TlsMaterialException(files.keyProperty() + ": the key is not the one of the certificate in "
                    + files.certProperty() + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String aliasOf(X509ExtendedKeyManager keys) {
        for (String type : new String[] {"RSA", "EC", "RSASSA-PSS"}) {
            String[] aliases = keys.getClientAliases(type, null);
            if (aliases != null && aliases.length > 0) {
                return aliases[0];
            }
        }
        throw new TlsMaterialException("the client certificate's key is neither RSA nor EC");
    }

    private static String subjectOf(X509ExtendedKeyManager keys) {
        X509Certificate[] chain = keys.getCertificateChain(aliasOf(keys));
        return "'" + chain[0].getSubjectX500Principal().getName() + "' (expires " + chain[0].getNotAfter().toInstant() + ")";
    }

    @Override
    public String toString() {
        return description;
    }

    /** Why material could not be loaded, naming the property and file; never any key material. */
    static final class TlsMaterialException extends RuntimeException {
        TlsMaterialException(String message) {
            super(message);
        }
    }
}
