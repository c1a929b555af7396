package io.tenantgate.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A private PKI made in the test, as a managed database provider or an internal PKI has one: CAs,
 * server certificates for host names, client certificates, all as PEM text, the format providers
 * hand out (the RDS bundle, Cloud SQL's {@code server-ca.pem}, {@code client-key.pem}).
 *
 * <p>RSA 2048 for the CAs and the certificates servers and clients present, as providers issue
 * them; client keys in PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, what Cloud SQL gives), server keys in
 * PKCS#8. {@link #bundle} pads a CA into a bundle of many certificates (like the RDS global bundle)
 * with filler CAs that share one fast EC key, so a 100-certificate bundle costs no second of key
 * generation.
 */
public final class TestPki {

    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    private TestPki() {
    }

    /** A certificate and its private key, as PEM text. */
    public record Issued(String certificatePem, String privateKeyPem) {
    }

    /** A certificate authority that can issue server and client certificates. */
    public static final class Ca {
        private final String name;
        private final KeyPair keys;
        private final X509Certificate certificate;

        private Ca(String name, KeyPair keys, X509Certificate certificate) {
            this.name = name;
            this.keys = keys;
            this.certificate = certificate;
        }

        public String name() {
            return name;
        }

        public String certificatePem() {
            return pem(certificate);
        }

        /** A server certificate naming these DNS names and IP addresses (subjectAltName), e.g. {@code localhost}. */
        public Issued server(String... dnsNamesOrIps) {
            KeyPair serverKeys = rsa();
            List<GeneralName> names = new ArrayList<>();
            for (String name : dnsNamesOrIps) {
                names.add(name.matches("[0-9.]+|.*:.*")
                        ? new GeneralName(GeneralName.iPAddress, name)
                        : new GeneralName(GeneralName.dNSName, name));
            }
            X509Certificate cert = issue("CN=" + dnsNamesOrIps[0], serverKeys.getPublic(), false,
                    KeyPurposeId.id_kp_serverAuth, new GeneralNames(names.toArray(GeneralName[]::new)));
            return new Issued(pem(cert), pkcs8(serverKeys.getPrivate()));
        }

        /**
         * A client certificate with this common name: PostgreSQL's {@code clientcert=verify-full}
         * compares it to the database user name.
         */
        public Issued client(String commonName) {
            KeyPair clientKeys = rsa();
            X509Certificate cert = issue("CN=" + commonName, clientKeys.getPublic(), false,
                    KeyPurposeId.id_kp_clientAuth, null);
            return new Issued(pem(cert), pemObject(clientKeys.getPrivate()));
        }

        /**
         * A client certificate with an EC key, written as OpenSSL writes one ({@code openssl ecparam
         * -genkey}): SEC1, {@code BEGIN EC PRIVATE KEY}, naming its curve and carrying its public key.
         */
        public Issued clientEc(String commonName) {
            KeyPair clientKeys = ec();
            X509Certificate cert = issue("CN=" + commonName, clientKeys.getPublic(), false,
                    KeyPurposeId.id_kp_clientAuth, null);
            try {
                org.bouncycastle.asn1.pkcs.PrivateKeyInfo info =
                        org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(clientKeys.getPrivate().getEncoded());
                org.bouncycastle.asn1.sec.ECPrivateKey inner =
                        org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
                org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256,
                        inner.getKey(),
                        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(clientKeys.getPublic().getEncoded())
                                .getPublicKeyData(),
                        info.getPrivateKeyAlgorithm().getParameters());
                return new Issued(pem(cert), pemObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY",
                        sec1.getEncoded())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The certificate as a Java object, e.g. to check a trust manager with. */
        public X509Certificate certificate() {
            return certificate;
        }

        private X509Certificate issue(String subject, PublicKey key, boolean ca, KeyPurposeId purpose,
                                      GeneralNames altNames) {
            try {
                JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
                X509v3CertificateBuilder builder = builder(new X500Name(certificate.getSubjectX500Principal().getName()),
                        subject, key)
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(ca))
                        .addExtension(Extension.keyUsage, true,
                                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                        .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key))
                        .addExtension(Extension.authorityKeyIdentifier, false,
                                utils.createAuthorityKeyIdentifier(certificate));
                if (altNames != null) {
                    builder.addExtension(Extension.subjectAlternativeName, false, altNames);
                }
                return sign(builder, keys.getPrivate(), "SHA256withRSA");
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A new self-signed CA. */
    public static Ca ca(String name) {
        KeyPair keys = rsa();
        return new Ca(name, keys, caCertificate(name, keys, "SHA256withRSA"));
    }

    /**
     * A PEM bundle of {@code total} CA certificates with {@code ca} among them (in the middle, as a
     * provider's bundle lists its regions), the rest fillers no server uses.
     */
    public static String bundle(int total, Ca... cas) {
        KeyPair filler = ec();
        StringBuilder pem = new StringBuilder();
        int fillers = total - cas.length;
        for (int i = 0; i < fillers; i++) {
            if (i == fillers / 2) {
                for (Ca ca : cas) {
                    pem.append(ca.certificatePem());
                }
            }
            pem.append(pem(caCertificate("tenantgate test filler CA " + i, filler, "SHA256withECDSA")));
        }
        if (fillers == 0) {
            for (Ca ca : cas) {
                pem.append(ca.certificatePem());
            }
        }
        return pem.toString();
    }

    private static X509Certificate caCertificate(String name, KeyPair keys, String algorithm) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(new X500Name("CN=" + name), "CN=" + name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            utils.createSubjectKeyIdentifier(keys.getPublic()));
            return sign(builder, keys.getPrivate(), algorithm);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, String subject, PublicKey key) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))),
                new X500Name(subject), key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer, String algorithm)
            throws GeneralSecurityException {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder(algorithm).build(signer);
            X509CertificateHolder holder = builder.build(contentSigner);
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** A fresh 2048-bit RSA key pair. */
    public static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(X509Certificate certificate) {
        return pemObject(certificate);
    }

    /** The object in OpenSSL's traditional PEM form: a private RSA key as PKCS#1. */
    private static String pemObject(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static String pkcs8(PrivateKey key) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new JcaPKCS8Generator(key, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
