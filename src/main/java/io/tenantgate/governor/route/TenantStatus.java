package io.tenantgate.governor.route;

/** A tenant's lifecycle state. Only {@code ACTIVE} tenants are served. */
public enum TenantStatus {
    ACTIVE,
    SUSPENDED
}
