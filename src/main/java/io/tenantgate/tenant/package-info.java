/**
 * The tenant APIs plane: customers, permissions, reports, dashboard and idempotency keys, each as
 * Resource → Service → {@code XxxSql}, the statements of both database kinds side by side.
 *
 * <p>It may import the control plane (the caller's tenant, the access gate), from the governor only
 * {@link io.tenantgate.governor.TenantSql}, its {@link io.tenantgate.governor.Dialect} and the
 * tenant's {@link io.tenantgate.governor.route.TenantRoute}, and the platform. Nothing imports it but
 * the demo.
 */
package io.tenantgate.tenant;
