package io.tenantgate.control.registry;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantStatus;
import io.tenantgate.governor.route.TlsMode;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.OffsetDateTime;

/**
 * A tenant as the registry stores it.
 *
 * <p>Invariant: the password is never held here in plain text. Exactly one of
 * {@link #passwordEncrypted} (AES-GCM, see {@link CredentialCipher}) and {@link #passwordRef}
 * (a reference resolved at connect time, see {@link CredentialResolver}) is set; the database
 * enforces it with a check constraint.
 */
@Entity
@Table(name = "tenant")
public class Tenant extends PanacheEntityBase {

    @Id
    @Column(name = "tenant_key", length = 63)
    public String key;

    @Column(name = "display_name", nullable = false)
    public String displayName;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public TenantStatus status;

    @Enumerated(EnumType.STRING)
    @Column(name = "db_kind", nullable = false)
    public DatabaseKind kind;

    @Column(nullable = false)
    public String host;

    @Column(nullable = false)
    public int port;

    @Column(name = "database_name", nullable = false)
    public String databaseName;

    @Column(nullable = false)
    public String username;

    @Column(name = "password_encrypted")
    public String passwordEncrypted;

    @Column(name = "password_ref")
    public String passwordRef;

    @Enumerated(EnumType.STRING)
    @Column(name = "tls_mode", nullable = false)
    public TlsMode tlsMode;

    /** Per-tenant pool limit; {@code null} means the configured default. */
    @Column(name = "max_pool_size")
    public Integer maxPoolSize;

    @Version
    public long version;

    /** The tenant-schema version its database was last migrated to ({@code TenantMigrations}). */
    @Column(name = "schema_version", nullable = false)
    public int schemaVersion;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    @Override
    public String toString() {
        // Never the password, encrypted or not.
        return "Tenant[" + key + ", " + status + ", " + kind + "@" + host + ":" + port + "/" + databaseName + "]";
    }
}
