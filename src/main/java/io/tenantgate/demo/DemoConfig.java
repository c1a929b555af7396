package io.tenantgate.demo;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** Demo tenants provisioned at start-up ({@code acme} on MySQL/MariaDB, {@code globex} on PostgreSQL). */
@ConfigMapping(prefix = "tenantgate.demo")
public interface DemoConfig {

    /** Provision the demo tenants at start if they are missing. On in dev, demo and test. */
    @WithDefault("false")
    boolean enabled();

    /** Where dev and demo runs keep their embedded servers; one sub-directory per run. */
    @WithDefault("target/tenantgate-demo")
    String workDir();

    /** Customers seeded into each new demo tenant. */
    @WithDefault("3")
    int seedCustomers();

    Server mysql();

    Server postgresql();

    /** acme's password, stored encrypted in the registry. */
    Optional<String> acmePassword();

    /** A spare database on the PostgreSQL demo server, for adding a tenant at run time. */
    Spare spare();

    interface Spare {
        /** Its owner's password; absent outside dev and demo runs. */
        Optional<String> password();
    }

    interface Server {
        /** Host of the server the demo tenant lives on. */
        @WithDefault("127.0.0.1")
        String host();

        /** Port of that server; set by the embedded servers or by hand. */
        Optional<Integer> port();
    }
}
