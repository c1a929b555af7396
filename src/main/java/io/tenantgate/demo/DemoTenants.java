package io.tenantgate.demo;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.tenantgate.control.lifecycle.NewTenant;
import io.tenantgate.control.lifecycle.TenantProvisioner;
import io.tenantgate.control.registry.TenantDirectory;
import io.tenantgate.governor.route.DatabaseKind;
import io.tenantgate.governor.route.TenantRoute;
import io.tenantgate.governor.route.TlsMode;
import io.tenantgate.tenant.customers.CustomerInput;
import io.tenantgate.tenant.customers.CustomerService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Provisions the demo tenants at start-up when {@code tenantgate.demo.enabled}: {@code acme} on
 * MySQL/MariaDB (password stored encrypted) and {@code globex} on PostgreSQL (password given as the
 * reference {@code config:tenantgate.tenant-secrets.globex}), each seeded with a few customers. Idempotent: existing tenants are
 * left alone, so a dev-mode reload changes nothing.
 */
@ApplicationScoped
public class DemoTenants {

    public static final String ACME = "acme";
    public static final String GLOBEX = "globex";
    /** Where globex's password lives; the registry stores only {@code config:} + this name. */
    public static final String GLOBEX_SECRET = "tenantgate.tenant-secrets.globex";

    private static final Logger LOG = Logger.getLogger(DemoTenants.class);
    private static final List<String> NAMES = List.of("Ada Lovelace", "Grace Hopper", "Edsger Dijkstra",
            "Barbara Liskov", "Donald Knuth", "Frances Allen");

    private final DemoConfig config;
    private final TenantProvisioner provisioner;
    private final TenantDirectory directory;
    private final CustomerService customers;

    public DemoTenants(DemoConfig config, TenantProvisioner provisioner, TenantDirectory directory,
                       CustomerService customers) {
        this.config = config;
        this.provisioner = provisioner;
        this.directory = directory;
        this.customers = customers;
    }

    /**
     * Runs on the main thread during start-up, before traffic is accepted, so waiting here is
     * safe and means the demo tenants exist once the app reports started.
     */
    void onStart(@Observes StartupEvent event) throws Throwable {
        if (!config.enabled()) {
            return;
        }
        VertxContextSupport.subscribeAndAwait(() -> ensure(acme()).chain(() -> ensure(globex())));
    }

    private NewTenant acme() {
        return new NewTenant(ACME, "ACME Corporation", DatabaseKind.MYSQL, config.mysql().host(),
                port(config.mysql(), "tenantgate.demo.mysql.port"), ACME, ACME,
                config.acmePassword().orElseThrow(() -> missing("tenantgate.demo.acme-password")), null,
                TlsMode.DISABLED, null);
    }

    private NewTenant globex() {
        return new NewTenant(GLOBEX, "Globex Corporation", DatabaseKind.POSTGRESQL,
                config.postgresql().host(), port(config.postgresql(), "tenantgate.demo.postgresql.port"),
                GLOBEX, GLOBEX, null, "config:" + GLOBEX_SECRET,
                TlsMode.DISABLED, null);
    }

    private static int port(DemoConfig.Server server, String property) {
        return server.port().orElseThrow(() -> missing(property));
    }

    private static IllegalStateException missing(String property) {
        return new IllegalStateException(property + " is not set; the demo tenants need it");
    }

    private Uni<Void> ensure(NewTenant tenant) {
        return directory.find(tenant.key()).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().voidItem();
            }
            return provisioner.provision(tenant).call(route -> seed(route, tenant.key())).invoke(route ->
                    LOG.infof("demo tenant %s ready on %s (%s)", route.key(), route.server(), route.kind()))
                    .replaceWithVoid();
        });
    }

    private Uni<Void> seed(io.tenantgate.governor.route.TenantRoute route, String key) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int i = 0; i < Math.min(config.seedCustomers(), NAMES.size()); i++) {
            String name = NAMES.get(i);
            String email = name.toLowerCase().replace(' ', '.') + "@" + key + ".example";
            chain = chain.chain(() -> customers.create(route, new CustomerInput(name, email, "+1 555 0100")))
                    .replaceWithVoid();
        }
        return chain;
    }
}
