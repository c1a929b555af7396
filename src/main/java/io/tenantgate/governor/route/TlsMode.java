package io.tenantgate.governor.route;

/**
 * How a tenant's database connection is encrypted, named independently of the engine; the pool
 * options translate it to PostgreSQL's and MySQL's own modes. A tenant added without one gets
 * {@link #VERIFY_FULL}; anything weaker must be asked for per tenant, and {@code /admin/tenants}
 * shows it.
 */
public enum TlsMode {
    /** Plain TCP. Only for databases on a trusted network. */
    DISABLED,
    /** Encrypted, server certificate not checked: no protection against whoever sits on the path. */
    REQUIRED,
    /** Encrypted, certificate checked against the JVM's trust store. */
    VERIFY_CA,
    /** As {@code VERIFY_CA}, and the certificate must name the host. */
    VERIFY_FULL
}
