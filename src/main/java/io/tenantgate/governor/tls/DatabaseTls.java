package io.tenantgate.governor.tls;

import io.quarkus.runtime.Startup;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.governor.tls.TlsMaterial.TlsMaterialException;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The TLS material of every connection to a tenant database ({@link DatabaseTlsConfig}): one scope
 * for all servers and one per server that has settings of its own, each read from its PEM files.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Start-up fails, naming the property and the file, when any configured file cannot be read
 *       or used: a tenant must never be found unreachable at its first request because of a typo.</li>
 *   <li>Every connection attempt takes the material in force when it begins ({@link #attempt}):
 *       after a file changes and has been read, every new attempt uses the new material, and no
 *       open connection is touched (TLS checks a peer only in the handshake).</li>
 *   <li>A change that cannot be used (a file half written, a key that is not its certificate's) is
 *       logged once and the previous material stays in force: a bad Secret update never turns a
 *       working fleet into an unreachable one.</li>
 *   <li>Files are read only on a worker thread (or at start-up), never on an event loop.</li>
 * </ul>
 *
 * <p>The JDBC drivers of the migrations instantiate their TLS plug-ins by class name
 * ({@link PgJdbcTls}, {@link MariaDbJdbcTls}), outside CDI; they find the running instance through
 * {@link #forDriver}.
 */
@ApplicationScoped
// Before anything else that starts: the files are read here, on the starting thread, and a bad
// file fails the start-up before any tenant is touched.
@Startup(Interceptor.Priority.PLATFORM_BEFORE)
public class DatabaseTls {

    private static final Logger LOG = Logger.getLogger(DatabaseTls.class);
    private static final String PREFIX = "tenantgate.database-tls.";

    private static volatile DatabaseTls current;

    private final Vertx vertx;
    private final Scope global;
    private final Map<String, Scope> servers;
    private final long reloadTimer;

    public DatabaseTls(DatabaseTlsConfig config, Vertx vertx) {
        this.vertx = vertx;
        TlsMaterial.Sources globalFiles = new TlsMaterial.Sources(paths(config.caFiles()),
                config.trustDefaultCas().orElse(config.caFiles().isEmpty()),
                config.clientCertFile().map(Path::of), config.clientKeyFile().map(Path::of),
                PREFIX + "ca-files", PREFIX + "client-cert-file", PREFIX + "client-key-file");
        this.global = new Scope("every tenant database server", globalFiles, vertx);
        Map<String, Scope> byServer = new HashMap<>();
        config.servers().forEach((server, entry) -> {
            if (!server.matches("^\\S+:\\d{1,5}$")) {
                throw new TlsMaterialException(PREFIX + "servers.\"" + server + "\": a server is named host:port, as tenants"
                        + " name it");
            }
            byServer.put(server, new Scope("server " + server, serverFiles(globalFiles, server, entry), vertx));
        });
        this.servers = Map.copyOf(byServer);
        current = this;
        long period = Math.max(100, config.reloadPeriod().toMillis());
        this.reloadTimer = vertx.setPeriodic(period, id -> vertx.executeBlocking(() -> {
            reload();
            return null;
        }, false));
    }

    /**
     * The TLS of a new JDBC connection, for the drivers' plug-ins ({@link DriverTls}), in JDK types
     * only: the trust manager, the key manager or null, and whether the host is checked. A driver
     * loaded by another class loader than the application (the system class loader in test and dev
     * mode) makes its own copy of the plug-in, which reaches the running instance through this
     * method by reflection.
     */
    public static Object[] forDriver(String server, String tlsMode) {
        DatabaseTls tls = current;
        if (tls == null) {
            throw new IllegalStateException("tenantgate's database TLS is not started");
        }
        TlsAttempt attempt = tls.attempt(server, TlsMode.valueOf(tlsMode));
        return new Object[] {attempt.trustManager(), attempt.keyManager().orElse(null), attempt.verifiesHost()};
    }

    static boolean started() {
        return current != null;
    }

    /** The TLS of a new connection to {@code server} ({@code host:port}) in {@code mode}. */
    public TlsAttempt attempt(String server, TlsMode mode) {
        return new TlsAttempt(mode, scopeOf(server).material);
    }

    /** Whether a client certificate is presented to {@code server}. */
    public boolean presentsClientCertificate(String server) {
        return scopeOf(server).material.keys() != null;
    }

    /** Reads every scope's files again and puts changed material in force (blocking: a worker thread). */
    void reload() {
        global.reload();
        servers.values().forEach(Scope::reload);
    }

    /** Fails start-up on settings that cannot mean what they say. */
    private static void requireSomethingTrusted(TlsMaterial.Sources sources) {
        if (sources.caFiles().isEmpty() && !sources.trustDefaultCas()) {
            throw new TlsMaterialException(sources.caProperty().replace("ca-files", "trust-default-cas")
                    + " is false and " + sources.caProperty() + " names no file: no server could be trusted");
        }
    }

    private Scope scopeOf(String server) {
        Scope scope = servers.get(server);
        return scope == null ? global : scope;
    }

    @PreDestroy
    void stop() {
        vertx.cancelTimer(reloadTimer);
        if (current == this) {
            current = null;
        }
    }

    private static TlsMaterial.Sources serverFiles(TlsMaterial.Sources global, String server, DatabaseTlsConfig.Server entry) {
        String prefix = PREFIX + "servers.\"" + server + "\".";
        boolean ownCas = entry.caFiles().isPresent();
        boolean ownCert = entry.clientCertFile().isPresent() || entry.clientKeyFile().isPresent();
        return new TlsMaterial.Sources(
                ownCas ? paths(entry.caFiles()) : global.caFiles(),
                entry.trustDefaultCas().orElse(ownCas ? false : global.trustDefaultCas()),
                ownCert ? entry.clientCertFile().map(Path::of) : global.clientCertFile(),
                ownCert ? entry.clientKeyFile().map(Path::of) : global.clientKeyFile(),
                ownCas ? prefix + "ca-files" : global.caProperty(),
                ownCert ? prefix + "client-cert-file" : global.certProperty(),
                ownCert ? prefix + "client-key-file" : global.keyProperty());
    }

    private static List<Path> paths(Optional<List<String>> files) {
        return files.orElse(List.of()).stream().filter(f -> !f.isBlank()).map(Path::of).toList();
    }

    /** One scope's files and the material read from them last. */
    private static final class Scope {
        private final String name;
        private final TlsMaterial.Sources files;
        private final Vertx vertx;
        private volatile TlsMaterial material;
        private String digest;
        /**
         * The last change that could not be used (the digest of files that could not be loaded, or
         * the message of files that could not be read), so it is logged once, not at every check.
         */
        private String refused;

        Scope(String name, TlsMaterial.Sources files, Vertx vertx) {
            this.name = name;
            this.files = files;
            this.vertx = vertx;
            requireSomethingTrusted(files);
            if (files.clientKeyFile().isPresent() && files.clientCertFile().isEmpty()) {
                throw new TlsMaterialException(files.keyProperty() + " is set but " + files.certProperty() + " is not");
            }
            TlsMaterial.Contents contents = TlsMaterial.read(files);
            this.material = TlsMaterial.load(files, contents, vertx);
            this.digest = contents.digest();
            LOG.infof("TLS to %s: trusting %s", name, material.description());
        }

        synchronized void reload() {
            try {
                TlsMaterial.Contents contents = TlsMaterial.read(files);
                if (contents.digest().equals(digest) || contents.digest().equals(refused)) {
                    return;
                }
                try {
                    TlsMaterial next = TlsMaterial.load(files, contents, vertx);
                    material = next;
                    digest = contents.digest();
                    refused = null;
                    LOG.infof("TLS to %s: files %s changed; new connections now use %s", name, files.all(),
                            next.description());
                } catch (TlsMaterialException e) {
                    refused = contents.digest();
                    LOG.warnf("TLS to %s: the changed files cannot be used, the previous ones stay in force: %s",
                            name, e.getMessage());
                }
            } catch (TlsMaterialException e) {
                if (!e.getMessage().equals(refused)) {
                    refused = e.getMessage();
                    LOG.warnf("TLS to %s: the files cannot be read, the previous ones stay in force: %s", name,
                            e.getMessage());
                }
            } catch (RuntimeException e) {
                // Never let one scope's surprise stop the others' checks, now or at the next period.
                LOG.warnf("TLS to %s: checking the files failed, the previous ones stay in force: %s", name, e.toString());
            }
        }
    }
}
