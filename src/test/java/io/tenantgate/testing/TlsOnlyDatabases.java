package io.tenantgate.testing;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;

/**
 * The application with TLS-only tenant database servers beside the run's plain ones
 * ({@link TlsServers}), configured as {@code docs/configuration.md} says: a CA bundle, a client
 * certificate for the servers that ask for one.
 */
public class TlsOnlyDatabases implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(TlsServers.class));
    }
}
