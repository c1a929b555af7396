/**
 * The connection governor: every connection tenantgate opens to a tenant database is made, moved,
 * lent and closed here, under each server's budget (ARCHITECTURE.md's invariants 1 to 5 and 7). Its
 * subpackages are {@code route} (what it needs to know of a tenant), {@code resilience}
 * (per-tenant breakers, retries and deadlines) and {@code tls} (the CAs and client certificate of
 * every connection, pools and migrations alike).
 *
 * <p>It imports only the platform: it knows a tenant by its route, never by the registry that
 * produced it.
 */
package io.tenantgate.governor;
