/**
 * The ground floor: the failure vocabulary, problem answers, request ids and logging context, and
 * the OpenAPI header. It imports nothing of ours from the planes above; {@code failure} imports
 * nothing of ours at all.
 */
package io.tenantgate.platform;
