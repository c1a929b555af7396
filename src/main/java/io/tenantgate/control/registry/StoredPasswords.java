package io.tenantgate.control.registry;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tenantgate.platform.problem.ProblemException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The inline passwords the registry stores, seen by the key that seals them: the start-up check
 * that every one can be read, the census operators follow a rotation by, and the re-encryption that
 * moves them all under the current key.
 *
 * <p>Invariants:
 * <ul>
 *   <li>A replica starts only if every key a stored password names is in its keyring and each such
 *       key decrypts one password it seals (a wrong key under the right id is caught too); otherwise
 *       start-up fails naming the keys and how many tenants each seals. Start-up is the only moment
 *       a missing key can be reported before a tenant's requests fail.</li>
 *   <li>The census is read from the registry, so every replica answers it the same.</li>
 *   <li>Re-encryption changes a row only from the ciphertext it read to the same password under the
 *       current key (compare-and-set on the ciphertext, version bumped), so a concurrent change of
 *       the tenant wins and is counted, never overwritten; running it again, on any replica, only
 *       finishes what is left. It never changes a password, so no pool is replaced
 *       ({@code TenantRoute}'s pool identity digests the plain password).</li>
 *   <li>At most one run per replica; its progress lives here, its result in the registry.</li>
 * </ul>
 */
@ApplicationScoped
public class StoredPasswords {

    private static final Logger LOG = Logger.getLogger(StoredPasswords.class);
    private static final int PAGE = 200;
    private static final int FAILURES_KEPT = 50;
    private static final Duration START_CHECK_TIMEOUT = Duration.ofSeconds(60);

    /** Per key id: how many tenants it seals and one of them (the smallest key). */
    private static final String CENSUS = """
            SELECT CASE WHEN password_encrypted LIKE 'v1:%' THEN 'legacy'
                        WHEN password_encrypted LIKE 'v2:%' THEN split_part(password_encrypted, ':', 2)
                        ELSE '?' END AS key_id,
                   count(*) AS tenants, min(tenant_key) AS sample
              FROM tenant WHERE password_encrypted IS NOT NULL GROUP BY 1""";

    private final Pool registry;
    private final CredentialCipher cipher;
    private final RegistryConfig config;
    private volatile Run run;

    public StoredPasswords(Pool registry, CredentialCipher cipher, RegistryConfig config) {
        this.registry = registry;
        this.cipher = cipher;
        this.config = config;
    }

    @RegisterForReflection
    @Schema(name = "KeyCount", description = "How many tenants' stored passwords one key seals")
    public record KeyUse(String key, long tenants, boolean inKeyring, boolean current) {
    }

    @RegisterForReflection
    @Schema(name = "ReEncryption", description = "This replica's latest re-encryption run")
    public record ReEncryption(String state, Instant startedAt, Instant finishedAt, long resealed,
                               long changedConcurrently, long failed, List<String> failures) {
    }

    @RegisterForReflection
    @Schema(name = "CredentialKeys", description = "The keyring and which key seals how many stored passwords")
    public record Census(String currentKey, List<String> keyring, List<KeyUse> storedPasswords,
                         long notUnderCurrentKey, ReEncryption reEncryption) {
    }

    /** Refuses start-up when a stored password cannot be read with this keyring. */
    void checkAtStart(@Observes @Priority(10) StartupEvent event) {
        List<String> problems = new ArrayList<>();
        Map<String, Long> missing = new TreeMap<>();
        for (Row row : registry.query(CENSUS).execute().await().atMost(START_CHECK_TIMEOUT)) {
            String id = row.getString("key_id");
            long tenants = row.getLong("tenants");
            if (!cipher.keyIds().contains(id)) {
                missing.put(id, tenants);
                continue;
            }
            String sample = row.getString("sample");
            String sealed = registry.preparedQuery("SELECT password_encrypted FROM tenant WHERE tenant_key = $1")
                    .execute(Tuple.of(sample)).await().atMost(START_CHECK_TIMEOUT)
                    .iterator().next().getString("password_encrypted");
            try {
                cipher.decrypt(sample, sealed);
            } catch (IllegalStateException e) {
                problems.add("key " + id + " does not decrypt the password of tenant " + sample + " (it seals "
                        + tenants + " tenant(s)): it is not the key they were sealed under");
            }
        }
        if (!missing.isEmpty()) {
            long tenants = missing.values().stream().mapToLong(Long::longValue).sum();
            problems.add(0, tenants + " tenant(s) have passwords sealed under key(s) missing from the keyring "
                    + cipher.keyIds() + ": " + missing + " (id=tenants); add them to tenantgate.credentials.keys"
                    + " (legacy: tenantgate.credentials.key) until a re-encryption has moved them");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("tenant passwords cannot be read: " + String.join("; ", problems));
        }
    }

    /** Which key seals how many stored passwords, from the registry, and this replica's latest run. */
    public Uni<Census> census() {
        return registry.query(CENSUS).execute()
                .ifNoItem().after(config.lookupTimeout()).fail()
                .onFailure().transform(failure -> {
                    LOG.warnf("registry unavailable: %s", failure.toString());
                    return ProblemException.registryUnavailable();
                })
                .map(rows -> {
                    List<KeyUse> uses = new ArrayList<>();
                    long stale = 0;
                    for (Row row : rows) {
                        String id = row.getString("key_id");
                        long tenants = row.getLong("tenants");
                        boolean current = id.equals(cipher.currentKey());
                        uses.add(new KeyUse(id, tenants, cipher.keyIds().contains(id), current));
                        stale += current ? 0 : tenants;
                    }
                    uses.sort((a, b) -> a.key().compareTo(b.key()));
                    Run latest = run;
                    return new Census(cipher.currentKey(), List.copyOf(cipher.keyIds()), uses, stale,
                            latest == null ? null : latest.view());
                });
    }

    /**
     * Starts moving every stored password under the current key unless a run is going here;
     * returns whether this call started one. Safe to call again, here or on another replica.
     */
    public synchronized boolean reEncrypt() {
        if (run != null && run.finishedAt == null) {
            return false;
        }
        Run started = new Run(cipher.currentKey());
        run = started;
        page(started, "").subscribe().with(done -> started.finish(null), started::finish);
        return true;
    }

    /** One page of tenants after {@code after}, resealed one row at a time, then the next page. */
    private Uni<Void> page(Run target, String after) {
        return registry.preparedQuery("SELECT tenant_key, password_encrypted FROM tenant"
                        + " WHERE password_encrypted IS NOT NULL AND tenant_key > $1 ORDER BY tenant_key LIMIT " + PAGE)
                .execute(Tuple.of(after))
                .ifNoItem().after(config.lookupTimeout()).fail()
                .flatMap(rows -> {
                    List<String[]> batch = new ArrayList<>();
                    rows.forEach(row -> batch.add(new String[] {row.getString("tenant_key"),
                            row.getString("password_encrypted")}));
                    if (batch.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    String last = batch.get(batch.size() - 1)[0];
                    return Multi.createFrom().iterable(batch)
                            .onItem().transformToUniAndConcatenate(row -> reseal(target, row[0], row[1]))
                            .collect().last()
                            .flatMap(ignored -> batch.size() < PAGE ? Uni.createFrom().voidItem() : page(target, last));
                });
    }

    private Uni<Void> reseal(Run target, String tenant, String sealed) {
        String resealed;
        try {
            resealed = cipher.reseal(tenant, sealed);
        } catch (IllegalStateException e) {
            target.failed(tenant + ": " + e.getMessage());
            return Uni.createFrom().voidItem();
        }
        if (resealed == null) {
            return Uni.createFrom().voidItem();
        }
        return registry.preparedQuery("UPDATE tenant SET password_encrypted = $1, version = version + 1,"
                        + " updated_at = now() WHERE tenant_key = $2 AND password_encrypted = $3")
                .execute(Tuple.of(resealed, tenant, sealed))
                .ifNoItem().after(config.lookupTimeout()).fail()
                .map(result -> {
                    target.counted(result.rowCount() == 1);
                    return null;
                });
    }

    /** One re-encryption run on this replica. Written by the run's single chain, read by any thread. */
    private static final class Run {
        final String key;
        final Instant startedAt = Instant.now();
        volatile Instant finishedAt;
        volatile String error;
        volatile long resealed;
        volatile long changed;
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        volatile long failed;

        Run(String key) {
            this.key = key;
            LOG.infof("re-encrypting stored tenant passwords under key %s", key);
        }

        void counted(boolean updated) {
            if (updated) {
                resealed++;
            } else {
                changed++;
            }
        }

        void failed(String why) {
            failed++;
            if (failures.size() < FAILURES_KEPT) {
                failures.add(why);
            }
        }

        void finish(Throwable failure) {
            error = failure == null ? null : failure.toString();
            finishedAt = Instant.now();
            LOG.infof("re-encryption under key %s %s: %d resealed, %d changed concurrently, %d unreadable", key,
                    failure == null ? "finished" : "stopped (" + failure + ")", resealed, changed, failed);
        }

        ReEncryption view() {
            String state = finishedAt == null ? "RUNNING" : error != null ? "STOPPED" : failed > 0 ? "INCOMPLETE" : "DONE";
            synchronized (failures) {
                return new ReEncryption(state, startedAt, finishedAt, resealed, changed, failed, List.copyOf(failures));
            }
        }
    }
}
