package io.tenantgate.governor.tls;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * TLS to TLS-only tenant databases against the packaged application (prod profile), and in CI's
 * native phase against the native executable: the trust, the client certificate and the host
 * check work the same there, and the MariaDB driver finds its TLS plug-in.
 */
@QuarkusIntegrationTest
class TlsToTenantDatabasesIT extends TlsToTenantDatabasesTest {
}
