package io.tenantgate.governor.tls;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TLS to tenant databases: which certificate authorities a server's certificate may be signed by,
 * and the client certificate tenantgate presents to servers that demand one. One setting serves
 * every connection to a tenant database: the tenant pools, the hand-overs between tenants, and the
 * schema migrations, on the JVM and in the native executable. A tenant's {@code tlsMode} decides
 * whether this is used at all ({@code VERIFY_CA}, {@code VERIFY_FULL}: trust; every mode but
 * {@code DISABLED}: the client certificate).
 *
 * <p>Files are PEM, as providers hand them out, and are read again when they change (see
 * {@link #reloadPeriod()}): connections made after a change use the new files, connections
 * already open keep theirs.
 */
@ConfigMapping(prefix = "tenantgate.database-tls")
public interface DatabaseTlsConfig {

    /**
     * PEM files of the certificate authorities that may sign a tenant database server's certificate,
     * each with one certificate or many (a provider's bundle, e.g. the RDS global bundle). Unset: the
     * JVM's default trust store (its {@code cacerts}, or {@code javax.net.ssl.trustStore} if set).
     */
    Optional<List<String>> caFiles();

    /**
     * Also trust the JVM's default certificate authorities. Default: true without {@link #caFiles()},
     * false with them, so that a private CA bundle is the only trust (as PostgreSQL's
     * {@code sslrootcert} and PgBouncer's {@code server_tls_ca_file} are) and no public CA can vouch
     * for a database server.
     */
    Optional<Boolean> trustDefaultCas();

    /**
     * PEM file of the client certificate presented to servers that ask for one (PostgreSQL
     * {@code clientcert}, MySQL/MariaDB {@code REQUIRE X509}), with its chain if the server needs it.
     * Given with {@link #clientKeyFile()}.
     */
    Optional<String> clientCertFile();

    /**
     * PEM file of the client certificate's private key, unencrypted: PKCS#8 ({@code BEGIN PRIVATE KEY}),
     * PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) or SEC1 EC ({@code BEGIN EC PRIVATE KEY}).
     */
    Optional<String> clientKeyFile();

    /**
     * How often the files are checked for a change (a Kubernetes Secret or ConfigMap update). A
     * change that cannot be read (a half-written file, a key that does not match its certificate)
     * is logged and the previous files stay in use.
     */
    @WithDefault("10s")
    Duration reloadPeriod();

    /**
     * Settings for particular servers, keyed {@code "host:port"} as the tenants name them (as
     * {@code tenantgate.budget.servers} is), e.g.
     * {@code tenantgate.database-tls.servers."db1.example.com:5432".ca-files}. Each setting a server
     * names replaces the global one for that server; the others are inherited.
     */
    Map<String, Server> servers();

    /** What one server's entry may set; unset: the global setting. */
    interface Server {

        /** As the global {@code ca-files}, for this server. */
        Optional<List<String>> caFiles();

        /** As the global {@code trust-default-cas}; default from this server's own {@code ca-files}. */
        Optional<Boolean> trustDefaultCas();

        /** As the global {@code client-cert-file}, for this server. */
        Optional<String> clientCertFile();

        /** As the global {@code client-key-file}, for this server. */
        Optional<String> clientKeyFile();
    }
}
