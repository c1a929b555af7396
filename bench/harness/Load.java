import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generators and the samplers that watch the servers and the service while they run.
 *
 * <p>Every figure comes from a real tool or the server itself: requests and latencies from wrk (or
 * pgbench, or a JDBC loop for MariaDB, which has no pgbench), connections of the tenant databases'
 * users ({@code bench_*}: tenantgate, the naive app and the database loops; the ceiling app and the
 * samplers log in as others) from {@code pg_stat_activity} and MariaDB's process list, refusals
 * from PostgreSQL's log and
 * MariaDB's {@code Connection_errors_max_connections}, CPU and RSS from {@code /proc}.
 */
final class Load {

    /** One system on one workload. Latencies in milliseconds; CPU in percent of one core. */
    record Result(String name, String system, int tenants, int clients, double seconds, long requests,
                  double rps, double p50, double p99, double p999, double max, long non2xx, long status503,
                  long socketErrors, Map<String, Long> statuses, long peakPg, long peakMy, long refusedPg,
                  long refusedMy, double cpu, long rssMb, long connects, double machineCpu, long handovers,
                  double leaseSeconds, long leases, double jain, long maxGapMs) implements java.io.Serializable {

        double share503() {
            return requests == 0 ? 0 : 100.0 * status503 / requests;
        }

        /** Requests answered 2xx per second. */
        double okPerSecond() {
            return (requests - non2xx - socketErrors) / seconds;
        }
    }

    /**
     * The servers under load and the process serving them (pid 0: none, e.g. pgbench); for
     * tenantgate, its metrics address, for the connects it made during the run (-1: not known).
     */
    record Watch(Bench.Servers servers, long pid, String metricsUrl) {
        Watch(Bench.Servers servers, long pid) {
            this(servers, pid, null);
        }

        long connects() {
            return (long) metric("tenantgate_server_connects_total");
        }

        /** The sum of every series of a tenantgate metric (e.g. over servers), or -1 without metrics. */
        double metric(String name) {
            if (metricsUrl == null) {
                return -1;
            }
            try {
                String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(metricsUrl)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                return body.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }

    private Load() {
    }

    // ------------------------------------------------------------------ wrk

    static Result wrk(String name, String system, int tenants, int clients, String url, Map<String, String> env,
                      int warmup, int seconds, Watch watch) {
        // Connected before any load: a saturated server may not let a late watcher in.
        Sampler sampler = Sampler.open(watch);
        Bench.say("%s: %d clients, %d s", name, clients, seconds);
        if (warmup > 0) {
            runWrk(url, clients, warmup, env);
        }
        sampler.begin();
        String out = runWrk(url, clients, seconds, env);
        Sampler.Figures f = sampler.stop();
        Matcher m = Pattern.compile("BENCH-RESULT requests=(\\d+) duration_us=(\\d+) p50_us=(\\d+) p99_us=(\\d+)"
                + " p999_us=(\\d+) max_us=(\\d+) connect_errors=(\\d+) read_errors=(\\d+) write_errors=(\\d+)"
                + " timeouts=(\\d+) statuses=(\\S*) jain=([0-9.]+) maxgap_ms=(\\d+)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("wrk printed no result for " + name + ":\n" + out);
        }
        long requests = Long.parseLong(m.group(1));
        double secs = Long.parseLong(m.group(2)) / 1e6;
        Map<String, Long> statuses = new LinkedHashMap<>();
        for (String part : m.group(11).split(",")) {
            if (part.contains(":")) {
                statuses.put(part.substring(0, part.indexOf(':')), Long.parseLong(part.substring(part.indexOf(':') + 1)));
            }
        }
        long non2xx = statuses.entrySet().stream().filter(e -> !e.getKey().startsWith("2")).mapToLong(Map.Entry::getValue).sum();
        long socketErrors = Long.parseLong(m.group(7)) + Long.parseLong(m.group(8)) + Long.parseLong(m.group(9))
                + Long.parseLong(m.group(10));
        return new Result(name, system, tenants, clients, secs, requests, requests / secs,
                us(m.group(3)), us(m.group(4)), us(m.group(5)), us(m.group(6)), non2xx,
                statuses.getOrDefault("503", 0L), socketErrors, statuses, f.peakPg, f.peakMy, f.refusedPg,
                f.refusedMy, f.cpu, f.rssMb, f.connects, f.machineCpu, f.handovers, f.leaseSeconds, f.leases,
                Double.parseDouble(m.group(12)), Long.parseLong(m.group(13)));
    }

    private static double us(String micros) {
        return Long.parseLong(micros) / 1000.0;
    }

    private static String runWrk(String url, int clients, int seconds, Map<String, String> env) {
        // One thread per tenant when each tenant has its own clients (BENCH_PICK=thread).
        int threads = env.containsKey("BENCH_THREADS") ? Integer.parseInt(env.get("BENCH_THREADS")) : Math.min(2, clients);
        return run(env, "wrk", "-t" + threads, "-c" + clients, "-d" + seconds + "s", "--timeout", "30s",
                "-s", Bench.REPO.resolve("bench/wrk/tenants.lua").toString(), url);
    }

    // ------------------------------------------------------------------ database ceilings

    /** pgbench with its per-transaction log, so p99 and p99.9 are exact, not averages. */
    static Result pgbench(String name, String database, List<String> workload, int clients, int seconds,
                          Bench.Servers servers, Bench.Login login, Path logDir) {
        try {
            Files.createDirectories(logDir);
            try (var old = Files.list(logDir)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of("pgbench", "-h", servers.postgres().host(),
                "-p", Integer.toString(servers.postgres().port()), "-U", login.user(), "-n", "-c",
                Integer.toString(clients), "-j", "2", "-T", Integer.toString(seconds), "-M", "prepared", "-l",
                "--log-prefix=" + logDir.resolve("tx")));
        command.addAll(workload);
        command.add(database);
        Sampler sampler = Sampler.open(new Watch(servers, 0)).begin();
        String out = run(Map.of("PGPASSWORD", login.password()), command.toArray(String[]::new));
        Sampler.Figures f = sampler.stop();
        List<Long> latencies = new ArrayList<>();
        long failed = 0;
        try (var logs = Files.list(logDir)) {
            for (Path log : logs.toList()) {
                for (String line : Files.readAllLines(log)) {
                    String[] fields = line.split(" ");
                    if (fields.length > 2) {
                        if (fields[2].equals("failed") || fields[2].equals("skipped")) {
                            failed++;
                        } else {
                            latencies.add(Long.parseLong(fields[2]));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher tps = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)").matcher(out);
        if (!tps.find()) {
            throw new IllegalStateException("pgbench printed no tps for " + name + ":\n" + out);
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Result(name, "database", 1, clients, seconds, sorted.length, Double.parseDouble(tps.group(1)),
                pct(sorted, 50) / 1000.0, pct(sorted, 99) / 1000.0, pct(sorted, 99.9) / 1000.0,
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000.0, failed, 0, 0, Map.of(),
                f.peakPg, f.peakMy, f.refusedPg, f.refusedMy, 0, 0, -1, f.machineCpu, -1, -1, -1, 0, 0);
    }

    /** MariaDB has no pgbench: the same point select, prepared on the server, on N connections in a loop. */
    static Result mariadbLoop(String name, Bench.Login login, List<String> ids, int clients, int seconds,
                              Bench.Servers servers) {
        String url = "jdbc:mariadb://" + servers.mariadb().host() + ":" + servers.mariadb().port() + "/"
                + login.database() + "?useServerPrepStmts=true&cachePrepStmts=true";
        long[][] samples = new long[clients][];
        int[] counts = new int[clients];
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        Sampler sampler = Sampler.open(new Watch(servers, 0)).begin();
        long start = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            int n = i;
            samples[n] = new long[4_000_000 / clients];
            threads.add(Thread.ofPlatform().start(() -> {
                try (Connection c = DriverManager.getConnection(url, login.user(), login.password());
                     PreparedStatement select = c.prepareStatement(
                             "SELECT id, name, email, phone, created_at, updated_at, version FROM customer WHERE id = ?")) {
                    while (!stop.get() && counts[n] < samples[n].length) {
                        long t0 = System.nanoTime();
                        select.setString(1, ids.get(ThreadLocalRandom.current().nextInt(ids.size())));
                        try (ResultSet rs = select.executeQuery()) {
                            while (rs.next()) {
                                rs.getString(2);
                            }
                        }
                        samples[n][counts[n]++] = System.nanoTime() - t0;
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        sleep(seconds * 1000L);
        stop.set(true);
        threads.forEach(Load::join);
        double secs = (System.nanoTime() - start) / 1e9;
        Sampler.Figures f = sampler.stop();
        long[] all = new long[Arrays.stream(counts).sum()];
        int at = 0;
        for (int i = 0; i < clients; i++) {
            System.arraycopy(samples[i], 0, all, at, counts[i]);
            at += counts[i];
        }
        Arrays.sort(all);
        return new Result(name, "database", 1, clients, secs, all.length, all.length / secs, pct(all, 50) / 1e6,
                pct(all, 99) / 1e6, pct(all, 99.9) / 1e6, all.length == 0 ? 0 : all[all.length - 1] / 1e6, 0, 0, 0,
                Map.of(), f.peakPg, f.peakMy, f.refusedPg, f.refusedMy, 0, 0, -1, f.machineCpu, -1, -1, -1, 0, 0);
    }

    static long pct(long[] sorted, double percentile) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    // ------------------------------------------------------------------ processes

    static String run(Map<String, String> env, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** CPU time (user + system) of a process in clock ticks of 10 ms, from {@code /proc/<pid>/stat}. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            return 0;
        }
    }

    static long rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return 0;
    }

    /**
     * Polls every 100 ms, on connections of its own opened before the load starts (each counted
     * once and subtracted), so sampling never competes for a slot the load needs.
     */
    static final class Sampler implements AutoCloseable {

        record Figures(long peakPg, long peakMy, long refusedPg, long refusedMy, double cpu, long rssMb, long connects,
                       double machineCpu, long handovers, double leaseSeconds, long leases) {
        }

        private final Watch watch;
        private final Connection pg;
        private final Connection my;
        private long refusedPgBefore;
        private long refusedMyBefore;
        private long ticksBefore;
        private long connectsBefore;
        private long machineBusyBefore;
        private double handoversBefore;
        private double leaseSecondsBefore;
        private double leasesBefore;
        private long start;
        private volatile boolean running = true;
        private volatile long peakPg;
        private volatile long peakMy;
        private volatile long peakRss;
        private Thread thread;

        private Sampler(Watch watch) throws SQLException {
            this.watch = watch;
            this.pg = watch.servers().postgres().adminConnection("postgres");
            try {
                this.my = watch.servers().mariadb().adminConnection("");
            } catch (SQLException e) {
                pg.close();
                throw e;
            }
        }

        /**
         * Connects as each server's administrator, whom the servers admit past max_connections.
         * Right after a naive run even those slots can be taken for a moment (backends of refused
         * connects still exiting), so it tries for up to 30 s.
         */
        static Sampler open(Watch watch) {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    return new Sampler(watch);
                } catch (SQLException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("sampler could not connect", e);
                    }
                    sleep(500);
                }
            }
        }

        /** Counting starts here: what happened before (e.g. a warm-up) is not this run's. */
        Sampler begin() {
            refusedPgBefore = watch.servers().refusedByPostgres();
            refusedMyBefore = status("Connection_errors_max_connections");
            ticksBefore = watch.pid() > 0 ? cpuTicks(watch.pid()) : 0;
            connectsBefore = watch.connects();
            handoversBefore = watch.metric("tenantgate_server_handovers_total");
            leaseSecondsBefore = watch.metric("tenantgate_connection_lease_seconds_sum");
            leasesBefore = watch.metric("tenantgate_connection_lease_seconds_count");
            machineBusyBefore = machineBusyTicks();
            start = System.nanoTime();
            thread = Thread.ofPlatform().daemon().start(this::loop);
            return this;
        }

        private void loop() {
            while (running) {
                try (Statement st = pg.createStatement();
                     ResultSet rs = st.executeQuery(
                             "SELECT count(*) FROM pg_stat_activity WHERE usename LIKE 'bench\\_%'");
                     Statement st2 = my.createStatement();
                     ResultSet rs2 = st2.executeQuery(
                             "SELECT count(*) FROM information_schema.PROCESSLIST WHERE USER LIKE 'bench\\_%'")) {
                    rs.next();
                    rs2.next();
                    peakPg = Math.max(peakPg, rs.getLong(1));
                    peakMy = Math.max(peakMy, rs2.getLong(1));
                } catch (SQLException | IllegalStateException e) {
                    // a sample lost under load is a sample lost; the next one comes 100 ms later
                }
                if (watch.pid() > 0) {
                    peakRss = Math.max(peakRss, rssMb(watch.pid()));
                }
                sleep(100);
            }
        }

        Figures stop() {
            running = false;
            join(thread);
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpu = watch.pid() > 0 ? (cpuTicks(watch.pid()) - ticksBefore) / seconds : 0;
            double machineCpu = (machineBusyTicks() - machineBusyBefore) / seconds;
            try {
                return new Figures(peakPg, peakMy, watch.servers().refusedByPostgres() - refusedPgBefore,
                        status("Connection_errors_max_connections") - refusedMyBefore, cpu, peakRss,
                        connectsBefore < 0 ? -1 : watch.connects() - connectsBefore, machineCpu,
                        handoversBefore < 0 ? -1 : (long) (watch.metric("tenantgate_server_handovers_total") - handoversBefore),
                        leaseSecondsBefore < 0 ? -1 : watch.metric("tenantgate_connection_lease_seconds_sum") - leaseSecondsBefore,
                        leasesBefore < 0 ? -1 : (long) (watch.metric("tenantgate_connection_lease_seconds_count") - leasesBefore));
            } finally {
                close();
            }
        }

        /**
         * Busy CPU of the whole machine (every process: services, servers, load generators), in
         * hundredths of a core-second (USER_HZ ticks), from /proc/stat.
         */
        static long machineBusyTicks() {
            try {
                String[] cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
                // user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
                long busy = 0;
                for (int i = 1; i < cpu.length && i <= 8; i++) {
                    if (i != 4 && i != 5) {
                        busy += Long.parseLong(cpu[i]);
                    }
                }
                return busy;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A MariaDB status counter. */
        private long status(String variable) {
            try (Statement st = my.createStatement();
                 ResultSet rs = st.executeQuery("SHOW GLOBAL STATUS LIKE '" + variable + "'")) {
                return rs.next() ? rs.getLong(2) : 0;
            } catch (SQLException e) {
                throw new IllegalStateException("MariaDB status unreadable", e);
            }
        }

        @Override
        public void close() {
            try {
                pg.close();
                my.close();
            } catch (SQLException e) {
                // closing after the run; nothing depends on it
            }
        }
    }
}
