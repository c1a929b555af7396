package io.tenantgate.control.registry;

import io.quarkus.runtime.Startup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * Tenant passwords kept in files, one per tenant, in {@code tenantgate.credentials.secrets-dir}:
 * how a mounted Kubernetes Secret with one key per tenant reaches the pod. Unlike an environment
 * variable, a file follows the Secret when it changes, so a rotated password needs no restart.
 *
 * <p>Invariants:
 * <ul>
 *   <li>A file is named by a tenant key, optionally followed by {@code .<suffix>} of
 *       {@code [A-Za-z0-9_-]} ({@link #NAME}): no name contains a path separator or starts with a
 *       dot, so a name is always an entry directly in the directory, never another directory and
 *       never Kubernetes' {@code ..data} internals. Tenant keys contain no dot, so a name belongs to
 *       exactly one tenant. Symbolic links in the directory are followed (Kubernetes mounts every
 *       key as a link through {@code ..data}); they are made by whoever mounts the directory, never
 *       by a registry entry.</li>
 *   <li>Files are read at start-up and on worker threads only, never on an event loop: the request
 *       path reads the values kept in memory ({@link #value}).</li>
 *   <li>What is kept follows the directory within {@code secrets-reload-period}: a file is read
 *       again when its identity, size or modification time changes (an atomic rename, as Kubernetes
 *       swaps {@code ..data}, or a rewrite in place); a file that disappears is forgotten.
 *       {@link #reread} reads one file at once, whatever its attributes say.</li>
 *   <li>A value is the file's content as UTF-8 less one trailing line break ({@code echo} adds one);
 *       an empty file, or one over 4 KiB, holds nothing. Values never reach a log.</li>
 *   <li>Start-up fails, naming the property, when the directory is configured but cannot be listed.</li>
 * </ul>
 */
@ApplicationScoped
@Startup
public class SecretFiles {

    private static final Logger LOG = Logger.getLogger(SecretFiles.class);
    /** A secret file's name: a tenant key ({@link TenantKey}), optionally {@code .<suffix>}. */
    static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9-]{1,62}(\\.[A-Za-z0-9_-]{1,64})?$");
    private static final int MAX_BYTES = 4096;

    /** What a file held when it was read, and the attributes that tell whether it changed since. */
    private record Snapshot(Object fileKey, FileTime modified, long size, String value) {
        boolean sameAs(BasicFileAttributes now) {
            return Objects.equals(fileKey, now.fileKey()) && modified.equals(now.lastModifiedTime())
                    && size == now.size();
        }
    }

    private final Vertx vertx;
    private final Path dir;
    private final ConcurrentMap<String, Snapshot> files = new ConcurrentHashMap<>();
    private final long reloadTimer;

    public SecretFiles(CredentialsConfig config, Vertx vertx) {
        this.vertx = vertx;
        this.dir = config.secretsDir().orElse(null);
        if (dir == null) {
            reloadTimer = -1;
            return;
        }
        try {
            list(); // on the starting thread: a directory that cannot be read fails the start-up
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("tenantgate.credentials.secrets-dir: " + dir
                    + " cannot be listed (" + e.getClass().getSimpleName() + ")", e);
        }
        long period = Math.max(100, config.secretsReloadPeriod().toMillis());
        // Ordered: one check of the directory at a time, however slow the volume.
        reloadTimer = vertx.setPeriodic(period, id -> vertx.executeBlocking(() -> {
            reload();
            return null;
        }, true));
    }

    /** Whether {@code name} can be a secret file's name. */
    static boolean isName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** The value of the file as last read; never touches the disk. */
    public Optional<String> value(String name) {
        Snapshot known = files.get(name);
        return known == null || known.value().isEmpty() ? Optional.empty() : Optional.of(known.value());
    }

    /**
     * Reads the file again now, on a worker thread, and keeps what it holds; the future completes
     * on the caller's Vert.x context with its value.
     */
    public Future<Optional<String>> reread(String name) {
        if (dir == null || !isName(name)) {
            return Future.succeededFuture(Optional.empty());
        }
        return vertx.executeBlocking(() -> read(name, true), false);
    }

    private void reload() {
        try {
            list();
        } catch (IOException | UncheckedIOException e) {
            LOG.warnf("secrets directory %s cannot be listed (%s); the secrets read before stay in force",
                    dir, e.getClass().getSimpleName());
        }
    }

    /** Brings what is kept in line with the directory. */
    private void list() throws IOException {
        Set<String> present = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (isName(name)) {
                    present.add(name);
                    read(name, false);
                }
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        files.keySet().retainAll(present);
    }

    /** The file's value, read again if it changed since it was last read (or if {@code always}). */
    private Optional<String> read(String name, boolean always) {
        Path file = dir.resolve(name);
        Snapshot known = files.get(name);
        try {
            BasicFileAttributes now = Files.readAttributes(file, BasicFileAttributes.class); // follows links
            if (!always && known != null && known.sameAs(now)) {
                return value(name);
            }
            if (!now.isRegularFile() || now.size() > MAX_BYTES) {
                LOG.warnf("secret file %s is not a regular file of at most %d bytes; ignored", name, MAX_BYTES);
                files.remove(name);
                return Optional.empty();
            }
            Snapshot read = new Snapshot(now.fileKey(), now.lastModifiedTime(), now.size(),
                    withoutLineBreak(new String(Files.readAllBytes(file), StandardCharsets.UTF_8)));
            files.put(name, read);
            if (known != null && !known.value().equals(read.value())) {
                LOG.infof("secret file %s changed; new connections of its tenant use what it holds now", name);
            }
        } catch (IOException e) {
            files.remove(name);
            LOG.debugf("secret file %s cannot be read: %s", name, e.getClass().getSimpleName());
        }
        return value(name);
    }

    private static String withoutLineBreak(String content) {
        if (content.endsWith("\r\n")) {
            return content.substring(0, content.length() - 2);
        }
        return content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
    }

    @PreDestroy
    void stop() {
        if (reloadTimer >= 0) {
            vertx.cancelTimer(reloadTimer);
        }
    }
}
