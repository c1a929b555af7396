package io.tenantgate.control.registry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How tenant database passwords are protected at rest: a keyring of AES-256 keys, one of them
 * current (see {@link CredentialCipher} for the rules and docs/operations.md for rotation).
 */
@ConfigMapping(prefix = "tenantgate.credentials")
public interface CredentialsConfig {

    /**
     * Base64 of a 256-bit AES key: the keyring's {@code legacy} key. Passwords sealed under it are
     * stored as {@code v1:...}, the format every earlier build wrote and reads. Give it through a
     * Kubernetes Secret (env {@code TENANTGATE_CREDENTIALS_KEY}). Dev and demo runs with embedded
     * servers get a fresh one per run, which lives as long as their registry.
     */
    Optional<String> key();

    /**
     * Further keys, each {@code <id>:<base64 of 256 bits>}, comma-separated (env
     * {@code TENANTGATE_CREDENTIALS_KEYS}). Passwords sealed under one are stored as
     * {@code v2:<id>:...}. Ids: letters, digits, {@code .}, {@code _}, {@code -}, at most 32;
     * {@code legacy} names {@link #key()}.
     */
    Optional<List<String>> keys();

    /**
     * The id of the key new and re-encrypted passwords are sealed under ({@code legacy} for
     * {@link #key()}). Optional when the keyring has exactly one key; required otherwise.
     */
    Optional<String> currentKey();

    /**
     * Environment variables a tenant's {@code env:} password reference may name start with this,
     * so a registry entry can never point at the service's own secrets.
     */
    @WithDefault("TENANT_SECRET_")
    String envPrefix();

    /** Properties a tenant's {@code config:} password reference may name start with this. */
    @WithDefault("tenantgate.tenant-secrets.")
    String configPrefix();

    /**
     * The directory of tenant secret files that {@code file:} password references name, one file
     * per tenant, e.g. a mounted Kubernetes Secret with one key per tenant (see {@link SecretFiles}).
     * Unset: {@code file:} references resolve to nothing.
     */
    Optional<Path> secretsDir();

    /** How often the secrets directory is checked for changed files; a changed file is read again. */
    @WithDefault("10s")
    Duration secretsReloadPeriod();
}
