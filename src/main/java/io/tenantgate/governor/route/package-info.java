/**
 * What the governor needs to know of a tenant: where its database is, how to reach it, whether it
 * may be served, and its pool limit. The registry (control plane) produces routes; the governor and
 * the tenant APIs read them. It lives here, below the control plane, so the governor never imports
 * the registry.
 */
package io.tenantgate.governor.route;
