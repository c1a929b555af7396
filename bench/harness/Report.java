import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * Writes {@code bench/results/README.md} and {@code chart.png} from one run, and prints the same
 * Markdown, so the committed report is exactly what the run printed.
 */
final class Report {

    private final Bench.Options options;
    private final List<Load.Result> results;
    private final Map<String, Object> facts;
    private final Path dir;

    Report(Bench.Options options, List<Load.Result> results, Map<String, Object> facts, Path dir) {
        this.options = options;
        this.results = results;
        this.facts = facts;
        this.dir = dir;
    }

    void write() throws IOException {
        Files.createDirectories(dir);
        String markdown = markdown();
        Files.writeString(dir.resolve("README.md"), markdown);
        chart(dir.resolve("chart.png"));
        System.out.println(markdown);
    }

    // ------------------------------------------------------------------ figures

    private double mean(Predicate<Load.Result> which, ToDoubleFunction<Load.Result> figure) {
        return results.stream().filter(which).mapToDouble(figure).average().orElse(Double.NaN);
    }

    private static Predicate<Load.Result> named(String prefix) {
        return r -> r.name().startsWith(prefix);
    }

    private Load.Result tier(String system, int tenants) {
        return results.stream().filter(r -> r.system().equals(system) && r.tenants() == tenants).findFirst().orElse(null);
    }

    /** tenantgate over the ceiling, per round, for one kind: each pair ran back to back. */
    private List<Double> ratios(String kind) {
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= Bench.SINGLE_ROUNDS; round++) {
            String suffix = kind + ", round " + round;
            double tg = mean(named("tenantgate GET, 1 tenant, " + suffix), Load.Result::rps);
            double ceiling = mean(named("ceiling GET, " + suffix), Load.Result::rps);
            ratios.add(tg / ceiling);
        }
        return ratios;
    }

    /**
     * Per request, side by side: CPU (the serving process's CPU time over the measured rounds'
     * requests) and, from the counting runs, allocation, throwables created, context captures and
     * activations, and Fault Tolerance guard calls. Counts, so a regression shows in the next run.
     */
    private String costOfOneRead() {
        StringBuilder md = new StringBuilder("\n## What one single-tenant read costs\n\n");
        md.append("CPU per request is the serving JVM's CPU time divided by its requests, over every measured round. tenantgate runs with its verified-token cache on (the default); the last two rows are one more instance with it off, each round beside the ceiling. ")
                .append("The other columns come from a separate 5 s run of the same load under a JFR recording ")
                .append("(throwables created, bytes allocated per thread, and JDK 25 method timing of SmallRye Context ")
                .append("Propagation's captured and active context states and of Fault Tolerance's `Guard.get`), ")
                .append("divided by that run's requests.\n\n");
        md.append("| app, kind | req/s | CPU µs / request | KB allocated / request | throwables / request | context captures | context activations | guard calls |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String kind : List.of("PostgreSQL", "MariaDB")) {
            for (String app : List.of("ceiling", "tenantgate")) {
                String prefix = app.equals("ceiling") ? "ceiling GET, " + kind : "tenantgate GET, 1 tenant, " + kind;
                double rps = mean(named(prefix), Load.Result::rps);
                String c = "count: " + app + ", " + kind + ": ";
                md.append(String.format(Locale.ROOT, "| %s, %s | %,.0f | %.0f | %.1f | %.2f | %.1f | %.1f | %.2f |%n", app, kind, rps,
                        cpuPerRequest(prefix), fact(c + "KB allocated per request"),
                        fact(c + "throwables per request"), fact(c + "context captures per request"),
                        fact(c + "context activations per request"), fact(c + "fault-tolerance guard calls per request")));
            }
        }
        // The same read with the verified-token cache off, each round beside the ceiling again.
        for (String app : List.of("ceiling GET beside the cache off, PostgreSQL", "tenantgate GET, 1 tenant, token cache off, PostgreSQL")) {
            if (results.stream().anyMatch(named(app))) {
                md.append(String.format(Locale.ROOT, "| %s | %,.0f | %.0f | - | - | - | - | - |%n",
                        app.startsWith("ceiling") ? "ceiling, PostgreSQL (beside the cache-off row)" : "tenantgate, token cache off, PostgreSQL",
                        mean(named(app), Load.Result::rps), cpuPerRequest(app)));
            }
        }
        return md.toString();
    }

    /** The serving process's CPU time over the requests of every run whose name starts with {@code prefix}. */
    private double cpuPerRequest(String prefix) {
        List<Load.Result> rounds = results.stream().filter(named(prefix)).toList();
        double requests = rounds.stream().mapToDouble(Load.Result::requests).sum();
        double cpuSeconds = rounds.stream().mapToDouble(r -> r.cpu() / 100 * r.seconds()).sum();
        return requests == 0 ? Double.NaN : cpuSeconds * 1e6 / requests;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private double fact(String name) {
        Object value = facts.get(name);
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    // ------------------------------------------------------------------ Markdown

    private String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# tenantgate benchmark: results of one run\n\n");
        md.append("Written by `bench/run").append(options.smoke() ? " --smoke" : "").append("` on ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME))
                .append(". Every figure below was measured in this one run on this one machine; ")
                .append("bench/README.md explains the method.\n\n");
        if (options.smoke()) {
            md.append("**Smoke run**: short runs and fewer tenants; the figures prove the pipeline, not the targets.\n\n");
        }
        md.append("## Machine\n\n").append(machine()).append('\n');

        List<Double> pg = ratios("PostgreSQL");
        List<Double> my = ratios("MariaDB");
        md.append("## Targets\n\n| target | measured | met |\n|---|---|---|\n");
        md.append(String.format(Locale.ROOT, "| single-tenant read throughput >= 1.0x the bare route, median of %d rounds | PostgreSQL %s (median %.2fx), MariaDB %s (median %.2fx) | %s |%n",
                Bench.SINGLE_ROUNDS, list(pg), median(pg), list(my), median(my), yes(median(pg) >= 1.0 && median(my) >= 1.0)));
        for (String kind : List.of("PostgreSQL", "MariaDB")) {
            double tg = cpuPerRequest("tenantgate GET, 1 tenant, " + kind);
            double bare = cpuPerRequest("ceiling GET, " + kind);
            md.append(String.format(Locale.ROOT, "| %s: tenantgate's CPU µs per request (token cache on) <= the bare route's | %.0f vs %.0f | %s |%n",
                    kind, tg, bare, yes(tg <= bare)));
        }
        String hot = String.valueOf(facts.getOrDefault("profile: hot methods", ""));
        List<String> top = hot.lines().filter(l -> l.matches("^\\s*\\S+.*\\d+[.,]\\d+\\s*%\\s*$")).limit(10).toList();
        long bigInteger = top.stream().filter(l -> l.contains("BigInteger")).count();
        md.append(String.format(Locale.ROOT, "| no BigInteger method among the 10 hottest of tenantgate's profile | %s | %s |%n",
                top.isEmpty() ? "no profile" : bigInteger + " of " + top.size(), yes(!top.isEmpty() && bigInteger == 0)));
        int last = options.tiers()[options.tiers().length - 1];
        Load.Result big = tier("tenantgate", last);
        governorTargets(md, last);
        if (big != null) {
            long refused = big.refusedPg() + big.refusedMy();
            md.append(String.format(Locale.ROOT, "| %,d tenants, %,d clients, budget %d per server: 0 database refusals | %d refused (PostgreSQL %d, MariaDB %d) | %s |%n",
                    big.tenants(), big.clients(), Bench.BUDGET, refused, big.refusedPg(), big.refusedMy(), yes(refused == 0)));
            md.append(String.format(Locale.ROOT, "| ... peak server connections <= budget | PostgreSQL %d, MariaDB %d (budget %d each) | %s |%n",
                    big.peakPg(), big.peakMy(), Bench.BUDGET, yes(big.peakPg() <= Bench.BUDGET && big.peakMy() <= Bench.BUDGET)));
            md.append(String.format(Locale.ROOT, "| ... 503 share (goal < 1%%) | %.3f%% (%,d of %,d) | %s |%n",
                    big.share503(), big.status503(), big.requests(), yes(big.share503() < 1.0)));
        }
        double coldAdds = fact("cold first request p99 (ms)") - fact("warm request p99 (ms)");
        md.append(String.format(Locale.ROOT, "| cold tenant's first request adds <= 30 ms p99 over warm | +%.1f ms (cold p99 %.1f ms, warm p99 %.1f ms) | %s |%n",
                coldAdds, fact("cold first request p99 (ms)"), fact("warm request p99 (ms)"), yes(coldAdds <= 30)));
        double perWarm = (fact("heap after warming (KB)") - fact("heap before warming (KB)")) / fact("tenants warmed");
        double perRegistered = (fact("heap after warming (KB)") - fact("heap before warming (KB)")) / fact("registered tenants");
        md.append(String.format(Locale.ROOT, "| <= 50 KB heap per idle registered tenant | %.1f KB per warmed-then-idle tenant; %.2f KB averaged over all %,.0f registered | %s |%n%n",
                perWarm, perRegistered, fact("registered tenants"), yes(perWarm <= 50)));

        md.append("## Every run\n\nLatencies in ms, measured by the load generator (wrk for HTTP). CPU is the serving JVM's, in % of one core")
                .append(" (this machine has ").append(Runtime.getRuntime().availableProcessors())
                .append("); RSS its peak. Peak connections (of the tenant databases' users, so not the ceiling app's) and refusals are sampled from the servers themselves; connects are the physical connects tenantgate made during the run (its `tenantgate_server_connects_total`), the cost of handing budget between tenants.\n\n");
        md.append("| run | clients | req/s | p50 | p99 | p99.9 | max | non-2xx | 503 | socket errors | peak conns PG / MariaDB | refused PG / MariaDB | connects | CPU % | RSS MB |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Load.Result r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %.2f | %.2f | %.2f | %.1f | %,d | %,d | %,d | %d / %d | %d / %d | %s | %s | %s |%n",
                    r.name(), r.clients(), r.rps(), r.p50(), r.p99(), r.p999(), r.max(), r.non2xx(), r.status503(),
                    r.socketErrors(), r.peakPg(), r.peakMy(), r.refusedPg(), r.refusedMy(),
                    r.connects() < 0 ? "-" : String.format(Locale.ROOT, "%,d", r.connects()),
                    r.cpu() == 0 ? "-" : String.format(Locale.ROOT, "%.0f", r.cpu()), r.rssMb() == 0 ? "-" : Long.toString(r.rssMb())));
        }
        md.append("\nStatus codes per run: ");
        for (Load.Result r : results) {
            if (!r.statuses().isEmpty()) {
                md.append("*").append(r.name()).append("*: ").append(r.statuses()).append("; ");
            }
        }
        md.append("\n\n## Ratios\n\n");
        double pgbenchSame = mean(named("database: pgbench, the same"), Load.Result::rps);
        double mariaLoop = mean(named("database: MariaDB"), Load.Result::rps);
        double tgPg = mean(named("tenantgate GET, 1 tenant, PostgreSQL"), Load.Result::rps);
        double tgMy = mean(named("tenantgate GET, 1 tenant, MariaDB"), Load.Result::rps);
        md.append(String.format(Locale.ROOT, "- tenantgate / ceiling of the stack (same stack, one static pool, no tenancy): PostgreSQL %s, MariaDB %s.%n", list(pg), list(my)));
        md.append(String.format(Locale.ROOT, "- tenantgate / ceiling of the database (the same query straight from pgbench or JDBC, %d connections): PostgreSQL %.2f, MariaDB %.2f.%n",
                16, tgPg / pgbenchSame, tgMy / mariaLoop));
        Load.Result naive = tier("naive", last);
        if (big != null && naive != null) {
            md.append(String.format(Locale.ROOT, "- %,d tenants: tenantgate answered %,d requests with %,d non-2xx; the naive pattern answered %,d with %,d non-2xx and the servers refused it %,d times.%n",
                    last, big.requests(), big.non2xx(), naive.requests(), naive.non2xx(), naive.refusedPg() + naive.refusedMy()));
        }
        md.append(costOfOneRead());
        md.append("\n## Cold and warm tenants\n\n");
        md.append(String.format(Locale.ROOT, "%.0f tenants never requested before (half PostgreSQL, half MariaDB), one request at a time: first request p50 %.1f ms, p99 %.1f ms, max %.1f ms; the same tenants' next request p50 %.1f ms, p99 %.1f ms.%n%n",
                fact("cold tenants"), fact("cold first request p50 (ms)"), fact("cold first request p99 (ms)"),
                fact("cold first request max (ms)"), fact("warm request p50 (ms)"), fact("warm request p99 (ms)")));
        md.append("## Heap\n\n");
        md.append(String.format(Locale.ROOT, "Heap in use after two full collections (`jcmd GC.run`, `GC.heap_info`): %,.0f KB before and %,.0f KB after warming %,.0f tenants (each served once, then left idle with its pool), with %,.0f tenants registered. Tenants never requested cost nothing: tenantgate loads a tenant's route on its first request only. %d requests were answered 503 while warming.%n%n",
                fact("heap before warming (KB)"), fact("heap after warming (KB)"), fact("tenants warmed"),
                fact("registered tenants"), (int) fact("503s while warming")));
        md.append("## Where tenantgate spends its time (single tenant, PostgreSQL)\n\nJFR `profile` settings, 10 s of the single-tenant read; `jfr view hot-methods`:\n\n```\n")
                .append(String.valueOf(facts.get("profile: hot methods")).strip()).append("\n```\n\n");
        md.append("## Other facts of this run\n\n");
        facts.forEach((k, v) -> {
            if (!k.startsWith("profile") && !k.startsWith("count: ")) {
                md.append("- ").append(k).append(": ").append(v).append('\n');
            }
        });
        md.append("\n![throughput and p99 against tenants](chart.png)\n");
        return md.toString();
    }

    /**
     * The governor's targets when the budget binds: 100 tenants that fit, 1,000 uniform and Zipf,
     * fairness, each as a ratio measured in this run; the hand-over bound with its arithmetic.
     */
    private void governorTargets(StringBuilder md, int last) {
        double single = mean(named("tenantgate GET, 1 tenant"), Load.Result::rps);
        Load.Result fits = tier("tenantgate", 100);
        if (fits != null) {
            int expected = 100 * Math.min(2, 4);
            md.append(String.format(Locale.ROOT, "| fits: 100 tenants, 200 clients: req/s >= 0.6x single-tenant | %,.0f req/s = %.2fx of %,.0f | %s |%n",
                    fits.rps(), fits.rps() / single, single, yes(fits.rps() >= 0.6 * single)));
            md.append(String.format(Locale.ROOT, "| ... physical connects <= 1.2 x sum of min(clients, max pool) = %,d | %,d | %s |%n",
                    (int) (1.2 * expected), fits.connects(), yes(fits.connects() >= 0 && fits.connects() <= 1.2 * expected)));
            md.append(String.format(Locale.ROOT, "| ... 0%% 503 | %.3f%% (%,d) | %s |%n", fits.share503(), fits.status503(),
                    yes(fits.status503() == 0)));
            Load.Result drawn = tier("tenantgate-drawn", 100);
            if (drawn != null) {
                md.append(String.format(Locale.ROOT, "| (no target) the same 100 tenants, tenant drawn per request | %,.0f req/s = %.2fx;"
                        + " %,d connects; 503 %.3f%% | - |%n", drawn.rps(), drawn.rps() / single, drawn.connects(), drawn.share503()));
            }
        }
        Load.Result uniform = tier("tenantgate", last);
        if (uniform != null && last >= 1_000) {
            double q = Math.min(8, (double) uniform.clients() / uniform.tenants());
            double serve = uniform.leases() > 0 ? uniform.leaseSeconds() / uniform.leases() : Double.NaN;
            double pgHandover = fact("calibration: PostgreSQL connect, log-in, select, close, wall ms") / 1000;
            double myHandover = fact("calibration: MariaDB move (reset, changeUser, session setting, select), wall ms") / 1000;
            double pgBound = Bench.BUDGET * q / (pgHandover + q * serve);
            double myBound = Bench.BUDGET * q / (myHandover + q * serve);
            double cpuServe = mean(named("tenantgate GET, 1 tenant"), r -> r.machineCpu() / 100.0 / r.rps());
            double cpuPg = fact("calibration: PostgreSQL connect, log-in, select, close, machine CPU ms") / 1000;
            double cpuMy = fact("calibration: MariaDB move (reset, changeUser, session setting, select), machine CPU ms") / 1000;
            double cpuBound = Runtime.getRuntime().availableProcessors() / ((cpuPg + cpuMy) / 2 / q + cpuServe);
            double bound = Math.min(pgBound + myBound, cpuBound);
            facts.put("hand-over bound (arithmetic)", String.format(Locale.ROOT,
                    "q = min(quantum 8, %d clients / %d tenants) = %.1f; t_serve = %.2f ms (mean lease, this leg);"
                            + " PostgreSQL: %d x %.1f / (%.2f ms + %.1f x %.2f ms) = %,.0f req/s;"
                            + " MariaDB: %d x %.1f / (%.2f ms + %.1f x %.2f ms) = %,.0f req/s;"
                            + " CPU: %d cores / ((%.2f + %.2f) / 2 / %.1f + %.3f) ms = %,.0f req/s; bound = %,.0f req/s",
                    uniform.clients(), uniform.tenants(), q, serve * 1000, Bench.BUDGET, q, pgHandover * 1000, q,
                    serve * 1000, pgBound, Bench.BUDGET, q, myHandover * 1000, q, serve * 1000, myBound,
                    Runtime.getRuntime().availableProcessors(), cpuPg * 1000, cpuMy * 1000, q, cpuServe * 1000, cpuBound,
                    bound));
            md.append(String.format(Locale.ROOT, "| uniform %,d: successful req/s >= 0.7x the hand-over bound | %,.0f = %.2fx of %,.0f (arithmetic under Other facts); 503 %.2f%%, p99 %.0f ms | %s |%n",
                    last, uniform.okPerSecond(), uniform.okPerSecond() / bound, bound, uniform.share503(), uniform.p99(),
                    yes(uniform.okPerSecond() >= 0.7 * bound)));
            md.append(String.format(Locale.ROOT, "| fairness (uniform leg): Jain's index >= 0.9; no tenant 5 s without a success | Jain %.3f; longest gap %,d ms | %s |%n",
                    uniform.jain(), uniform.maxGapMs(), yes(uniform.jain() >= 0.9 && uniform.maxGapMs() < 5_000)));
        }
        Load.Result zipf = results.stream().filter(r -> r.system().equals("tenantgate-zipf")).findFirst().orElse(null);
        if (zipf != null) {
            md.append(String.format(Locale.ROOT, "| skewed %,d (Zipf 1.0): req/s >= 0.5x single-tenant, 503 < 1%% | %,.0f successful req/s = %.2fx; 503 %.2f%% | %s |%n",
                    zipf.tenants(), zipf.okPerSecond(), zipf.okPerSecond() / single, zipf.share503(),
                    yes(zipf.okPerSecond() >= 0.5 * single && zipf.share503() < 1.0)));
        }
        List<Load.Result> governed = results.stream().filter(r -> r.system().startsWith("tenantgate")).toList();
        long worstPeak = governed.stream().mapToLong(r -> Math.max(r.peakPg(), r.peakMy())).max().orElse(0);
        long refusals = governed.stream().mapToLong(r -> r.refusedPg() + r.refusedMy()).sum();
        md.append(String.format(Locale.ROOT, "| every tenantgate leg: peak server connections <= budget, 0 refusals | peak %d (budget %d), %d refusals | %s |%n",
                worstPeak, Bench.BUDGET, refusals, yes(worstPeak <= Bench.BUDGET && refusals == 0)));
    }

    private static String list(List<Double> ratios) {
        return ratios.stream().map(r -> String.format(Locale.ROOT, "%.2fx", r)).reduce((a, b) -> a + ", " + b).orElse("-");
    }

    private static String yes(boolean met) {
        return met ? "yes" : "**no**";
    }

    private static String machine() {
        StringBuilder m = new StringBuilder();
        try {
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 2)).orElse("unknown");
            String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
            m.append("- CPU: ").append(cpu).append(", ").append(Runtime.getRuntime().availableProcessors())
                    .append(" cores available\n");
            m.append("- ").append(mem).append('\n');
            m.append("- Kernel: ").append(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip()).append('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        m.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(", both services with -Xms1g -Xmx1g G1\n");
        m.append("- Load generator: ").append(Load.run(Map.of(), "bash", "-c", "wrk --version || true").lines().findFirst().orElse("wrk")
                .replaceAll("\\s+Copyright.*", "")).append("; pgbench ")
                .append(Load.run(Map.of(), "pgbench", "--version").strip()).append('\n');
        m.append("- Everything (servers, services, load generators) shares these cores, as on a developer's machine.\n");
        return m.toString();
    }

    // ------------------------------------------------------------------ chart

    /** Throughput and p99 against the number of tenants, for tenantgate and the naive pattern. */
    private void chart(Path file) throws IOException {
        int width = 1200;
        int height = 520;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        Map<String, Map<Integer, double[]>> series = new LinkedHashMap<>();
        for (int tier : options.tiers()) {
            if (tier == 1) {
                double rps = mean(named("tenantgate GET, 1 tenant"), Load.Result::rps);
                double p99 = mean(named("tenantgate GET, 1 tenant"), Load.Result::p99);
                series.computeIfAbsent("tenantgate", k -> new LinkedHashMap<>()).put(1, new double[] {rps, p99});
                continue;
            }
            for (String system : new String[] {"tenantgate", "naive"}) {
                Load.Result r = tier(system, tier);
                if (r != null) {
                    // A naive run's failed requests are fast; only its successes count as throughput.
                    double ok = r.requests() - r.non2xx() - r.socketErrors();
                    series.computeIfAbsent(system, k -> new LinkedHashMap<>()).put(tier,
                            new double[] {ok / r.seconds(), r.p99()});
                }
            }
        }
        double ceilingRps = mean(named("ceiling GET"), Load.Result::rps);
        double ceilingP99 = mean(named("ceiling GET"), Load.Result::p99);
        panel(g, 60, 60, 500, 380, "successful requests/s", series, 0, ceilingRps);
        panel(g, 660, 60, 500, 380, "p99 latency (ms)", series, 1, ceilingP99);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("tenantgate vs the naive pool-per-tenant pattern, against the number of tenants", 60, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("clients = 32 for 1 tenant, 2 per tenant otherwise; dashed: the ceiling of the stack (1 static pool, no tenancy).",
                60, 500);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private void panel(Graphics2D g, int x, int y, int w, int h, String title, Map<String, Map<Integer, double[]>> series,
                       int index, double reference) {
        int[] tiers = options.tiers();
        double max = reference;
        for (Map<Integer, double[]> points : series.values()) {
            for (double[] v : points.values()) {
                max = Math.max(max, v[index]);
            }
        }
        max = max <= 0 || Double.isNaN(max) ? 1 : max * 1.15;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, x, y - 8);
        g.setStroke(new BasicStroke(1));
        g.drawLine(x, y + h, x + w, y + h);
        g.drawLine(x, y, x, y + h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 4; i++) {
            int yy = y + h - i * h / 4;
            g.setColor(new Color(225, 225, 225));
            g.drawLine(x + 1, yy, x + w, yy);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%,.0f", max * i / 4), x - 55, yy + 4);
        }
        for (int i = 0; i < tiers.length; i++) {
            g.drawString(String.format(Locale.ROOT, "%,d tenant%s", tiers[i], tiers[i] == 1 ? "" : "s"), xOf(x, w, i, tiers.length) - 25, y + h + 18);
        }
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 6}, 0));
        int ry = y + h - (int) (reference / max * h);
        g.drawLine(x, ry, x + w, ry);
        g.drawString("ceiling", x + w - 45, ry - 4);
        Color[] colors = {new Color(31, 119, 180), new Color(214, 39, 40)};
        int c = 0;
        for (Map.Entry<String, Map<Integer, double[]>> s : series.entrySet()) {
            g.setColor(colors[c % colors.length]);
            g.setStroke(new BasicStroke(2.5f));
            int px = -1;
            int py = -1;
            for (int i = 0; i < tiers.length; i++) {
                double[] v = s.getValue().get(tiers[i]);
                if (v == null) {
                    continue;
                }
                int xx = xOf(x, w, i, tiers.length);
                int yy = y + h - (int) (v[index] / max * h);
                g.fillOval(xx - 4, yy - 4, 8, 8);
                g.drawString(String.format(Locale.ROOT, index == 0 ? "%,.0f" : "%,.1f", v[index]), xx + 6, yy - 6);
                if (px >= 0) {
                    g.drawLine(px, py, xx, yy);
                }
                px = xx;
                py = yy;
            }
            g.fillRect(x + 10, y + 10 + c * 18, 12, 12);
            g.drawString(s.getKey(), x + 28, y + 21 + c * 18);
            c++;
        }
    }

    private static int xOf(int x, int w, int i, int n) {
        return x + w * (2 * i + 1) / (2 * n);
    }
}
