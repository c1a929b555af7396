/**
 * The control plane: what operators configure and watch. The tenant registry, tenant lifecycle and
 * schema migrations, callers' identity, the admin endpoints, health probes and metrics.
 *
 * <p>It may import the governor and the platform, never the tenant APIs.
 */
package io.tenantgate.control;
