package io.tenantgate.governor.route;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Everything needed to reach one tenant's database, resolved from the registry for one request.
 *
 * <p>It carries the plain password only as long as it takes to build a pool; {@link #toString()}
 * never prints it, and {@link #identity()} reduces it to a digest so pools can be compared.
 *
 * <p>{@code resolvedOrder} orders the routes of one instance by when their registry read began
 * ({@code 0}: built outside the registry, ordered before every other). A request may still hold a
 * route read before a change when the route read after it has already built the new pool; the
 * order is how the governor tells that late request from a newer change, so the late one is served
 * by the newer pool instead of putting the old one back.
 */
public record TenantRoute(String key, String displayName, TenantStatus status, DatabaseKind kind, String host,
                          int port, String database, String username, String password, TlsMode tlsMode,
                          Integer maxPoolSize, int schemaVersion, long resolvedOrder) {

    /** A route whose schema is taken to be current (routes built outside the registry: tests, tools). */
    public TenantRoute(String key, String displayName, TenantStatus status, DatabaseKind kind, String host, int port,
                       String database, String username, String password, TlsMode tlsMode, Integer maxPoolSize) {
        this(key, displayName, status, kind, host, port, database, username, password, tlsMode, maxPoolSize,
                Integer.MAX_VALUE, 0);
    }

    /** This route with another password, ordered as {@code resolvedOrder} (a secret read again). */
    public TenantRoute withPassword(String newPassword, long order) {
        return new TenantRoute(key, displayName, status, kind, host, port, database, username, newPassword, tlsMode,
                maxPoolSize, schemaVersion, order);
    }

    /** True if this route was read from the registry before {@code other} was: it may predate a change. */
    public boolean resolvedBefore(TenantRoute other) {
        return resolvedOrder < other.resolvedOrder;
    }

    /** The database server this tenant lives on; server budgets are kept per server. */
    public String server() {
        return host + ":" + port;
    }

    /** What a pool is built from; a changed identity means the tenant's pool must be rebuilt. */
    public PoolIdentity identity() {
        return new PoolIdentity(kind, host, port, database, username, sha256(password), tlsMode, maxPoolSize);
    }

    public record PoolIdentity(DatabaseKind kind, String host, int port, String database, String username,
                               String passwordDigest, TlsMode tlsMode, Integer maxPoolSize) {
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "TenantRoute[" + key + ", " + status + ", " + kind + "@" + server() + "/" + database + "]";
    }
}
