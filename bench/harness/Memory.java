import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/run --memory}: tenantgate under the fits leg's load (100 tenants, two clients of their
 * own each) in the JVM the production image gives it, to size the Deployment's memory request and
 * limit from measured figures rather than from the heap alone.
 *
 * <p>What is deployed decides what is measured: the limit, the request, the CPU limit,
 * {@code JAVA_MAX_MEM_RATIO} and {@code JAVA_OPTS_APPEND} are read from
 * {@code deploy/kubernetes/deployment.yaml}, the image from {@code src/main/docker/Dockerfile.jvm}.
 * Editing the limit there and running again measures the new setting; the heap moves with it, since
 * the image sizes the heap as a share of the limit.
 *
 * <p>Outside a container there is no cgroup limit for the JVM to read, so {@link #containerEmulation}
 * hands it the same figures on the command line. Nothing kills the process at the limit here: a
 * run that goes over shows as negative headroom instead of an OOM kill.
 *
 * <p>RSS, not cgroup {@code memory.current}: the cgroup also charges page cache (the jars read at
 * start, files written to the {@code /tmp} emptyDir), which the kernel reclaims before it OOM-kills;
 * the kubelet's working-set figure therefore reads somewhat higher than RSS for the same pod.
 */
final class Memory {

    /** The fits leg: what the governor's "fits" target is measured on (Report, governorTargets). */
    static final int TENANTS = 100;
    static final int CLIENTS = 2 * TENANTS;
    /**
     * Load before anything is measured: the JIT, the 100 tenants' pools and the heap's adaptive
     * sizing (ParallelGC grows the heap over the first collections) all settle in it.
     */
    static final int WARMUP_SECONDS = 30;
    /** Long enough for hundreds of young collections and, if the old generation fills, full ones. */
    static final int MEASURED_SECONDS = 120;
    private static final long SAMPLE_MILLIS = 1000;
    /** Request and limit are suggested in steps of this, so a rerun's noise does not move them. */
    private static final int ROUND_MI = 64;
    /**
     * The limit's margin over the peak RSS measured here: the peak comes from one load shape for two
     * minutes on one machine, while a pod also meets 1,000-tenant bursts, cold tenants and TLS to its
     * databases, and the JVM's native memory (direct buffers, metaspace, thread stacks, code cache)
     * can keep growing after the heap has stopped.
     */
    private static final double LIMIT_MARGIN = 1.25;

    /**
     * What the image's run-java.sh computes besides the heap share, in its order, with the
     * deployment's environment (no GC_* variables, no JAVA_DIAGNOSTICS, JAVA_DEBUG or proxy; checked
     * by {@link Deployment#read}). From the image's sources, rh-openjdk/redhat-openjdk-containers
     * (formerly jboss-container-images/openjdk), branch ubi9:
     * modules/jvm/artifacts/opt/jboss/container/java/jvm/java-default-options, functions
     * {@code max_memory} (-XX:MaxRAMPercentage from JAVA_MAX_MEM_RATIO, "80.0" when unset),
     * {@code gc_config} (the five options below, GC_CONTAINER_OPTIONS defaulting to
     * -XX:+UseParallelGC) and {@code error_handling} (-XX:+ExitOnOutOfMemoryError); run-java.sh
     * ({@code get_java_options}) puts them before JAVA_OPTS_APPEND, and adds no -Xms, -Xss or
     * InitialRAMPercentage. That script is unchanged since OPENJDK-1523 (2023-03) in the newest
     * snapshot read (2025-02, ubi9 and ubi10 branches alike); the 1.23 tag itself was not in it,
     * which is why {@link #imageCheck} asks the image itself when a container runtime is at hand.
     */
    static final List<String> RUN_JAVA_GC_OPTIONS = List.of("-XX:+UseParallelGC", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=20", "-XX:GCTimeRatio=4", "-XX:AdaptiveSizePolicyWeight=90");
    static final String RUN_JAVA_ERROR_HANDLING = "-XX:+ExitOnOutOfMemoryError";
    /** run-java.sh's own default when JAVA_MAX_MEM_RATIO is not set. */
    private static final String RUN_JAVA_DEFAULT_RATIO = "80";
    private static final String DEFAULT_OPTIONS_SCRIPT = "/opt/jboss/container/java/jvm/java-default-options";
    /** Variables that would make run-java.sh compute options this mode does not reproduce. */
    private static final List<String> UNMODELLED_ENV = List.of("JAVA_OPTS", "GC_CONTAINER_OPTIONS",
            "GC_MIN_HEAP_FREE_RATIO", "GC_MAX_HEAP_FREE_RATIO", "GC_TIME_RATIO", "GC_ADAPTIVE_SIZE_POLICY_WEIGHT",
            "GC_METASPACE_SIZE", "GC_MAX_METASPACE_SIZE", "JAVA_DIAGNOSTICS", "JAVA_DEBUG", "JAVA_PROXY_HOST",
            "http_proxy", "https_proxy");

    /** The production settings this mode reproduces, read from the files that deploy them. */
    record Deployment(String image, String imageJdk, int limitMi, int requestMi, int cpus, String maxMemRatio,
                      List<String> javaOptsAppend) {

        static Deployment read(Path repo) throws IOException {
            Path yamlFile = repo.resolve("deploy/kubernetes/deployment.yaml");
            Path dockerfile = repo.resolve("src/main/docker/Dockerfile.jvm");
            String yaml = Files.readString(yamlFile);
            String docker = Files.readString(dockerfile);
            for (Path envSource : List.of(yamlFile, repo.resolve("deploy/kubernetes/configmap.yaml"))) {
                String text = Files.readString(envSource);
                for (String name : UNMODELLED_ENV) {
                    // An env entry in the Deployment, or a key of the ConfigMap it takes its environment from.
                    if (Pattern.compile("(?m)^\\s*(- name: " + name + "\\s*$|" + name + ":\\s)").matcher(text).find()) {
                        throw new IllegalStateException(envSource + " sets " + name
                                + ", which changes the options run-java.sh computes; Memory.java models only "
                                + "JAVA_MAX_MEM_RATIO and JAVA_OPTS_APPEND");
                    }
                }
            }
            Matcher from = Pattern.compile("(?m)^FROM (\\S*openjdk-(\\d+)-runtime:\\S+)").matcher(docker);
            if (!from.find()) {
                throw new IllegalStateException(dockerfile + ": no FROM ...openjdk-NN-runtime:TAG line");
            }
            String append = env(yaml, "JAVA_OPTS_APPEND");
            if (append == null) {
                // The Deployment does not set it, so the image's ENV applies.
                Matcher m = Pattern.compile("(?m)^ENV JAVA_OPTS_APPEND=\"([^\"]*)\"").matcher(docker);
                append = m.find() ? m.group(1) : "";
            }
            String ratio = env(yaml, "JAVA_MAX_MEM_RATIO");
            String resources = block(yaml, "resources", yamlFile);
            return new Deployment(from.group(1), from.group(2),
                    mebibytes(value(block(resources, "limits", yamlFile), "memory", yamlFile), yamlFile),
                    mebibytes(value(block(resources, "requests", yamlFile), "memory", yamlFile), yamlFile),
                    cpus(value(block(resources, "limits", yamlFile), "cpu", yamlFile)),
                    ratio == null ? RUN_JAVA_DEFAULT_RATIO : ratio,
                    append.isBlank() ? List.of() : List.of(append.trim().split("\\s+")));
        }

        /**
         * The options run-java.sh puts on the command line, in its order: {@code max_memory}
         * ({@code printf "%.0f.0"}, so "50" becomes "50.0"; "0" means none), {@code gc_config},
         * {@code error_handling}, then JAVA_OPTS_APPEND.
         */
        List<String> imageJvmOptions() {
            List<String> options = new ArrayList<>();
            long ratio = Math.round(Double.parseDouble(maxMemRatio));
            if (ratio != 0) {
                options.add("-XX:MaxRAMPercentage=" + ratio + ".0");
            }
            options.addAll(RUN_JAVA_GC_OPTIONS);
            options.add(RUN_JAVA_ERROR_HANDLING);
            options.addAll(javaOptsAppend);
            return options;
        }

        /**
         * In a container, HotSpot reads the cgroup's memory limit as the machine's memory and its CPU
         * quota as the processor count. Here the same figures come from the command line: with MaxRAM
         * given explicitly, Arguments::set_heap_size (JDK 21 and 25 alike) takes it as the physical
         * memory, so MaxRAMPercentage yields the heap the pod gets; the run checks it in
         * {@code VM.flags}. The processor count sizes the GC and compiler threads.
         */
        List<String> containerEmulation() {
            return List.of("-XX:MaxRAM=" + limitMi + "m", "-XX:ActiveProcessorCount=" + cpus);
        }

        /** The value of {@code - name: NAME} followed by {@code value: ...}, or null. */
        private static String env(String yaml, String name) {
            Matcher m = Pattern.compile("- name: " + name + "\\s*\\n\\s*value: \"?([^\"\\n]*)\"?").matcher(yaml);
            return m.find() ? m.group(1).trim() : null;
        }

        /** The lines indented under the first {@code key:} line. */
        private static String block(String text, String key, Path file) {
            List<String> lines = text.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().equals(key + ":")) {
                    int indent = line.indexOf(key);
                    StringBuilder body = new StringBuilder();
                    for (int j = i + 1; j < lines.size(); j++) {
                        String next = lines.get(j);
                        if (!next.isBlank() && next.length() - next.stripLeading().length() <= indent) {
                            break;
                        }
                        body.append(next).append('\n');
                    }
                    return body.toString();
                }
            }
            throw new IllegalStateException(file + ": no '" + key + ":' block");
        }

        private static String value(String block, String key, Path file) {
            Matcher m = Pattern.compile("(?m)^\\s*" + key + ":\\s*\"?([^\"\\s]+)\"?").matcher(block);
            if (!m.find()) {
                throw new IllegalStateException(file + ": no '" + key + ":' under resources");
            }
            return m.group(1);
        }

        private static int mebibytes(String quantity, Path file) {
            Matcher m = Pattern.compile("(\\d+)(Mi|Gi)").matcher(quantity);
            if (!m.matches()) {
                throw new IllegalStateException(file + ": memory '" + quantity + "' is not in Mi or Gi");
            }
            return Integer.parseInt(m.group(1)) * (m.group(2).equals("Gi") ? 1024 : 1);
        }

        /** HotSpot rounds a CPU quota up to whole processors. */
        private static int cpus(String quantity) {
            return quantity.endsWith("m") ? (int) Math.ceil(Integer.parseInt(quantity.replace("m", "")) / 1000.0)
                    : (int) Math.ceil(Double.parseDouble(quantity));
        }
    }

    /** One reading of /proc/PID/status, in KB. */
    record Sample(long millis, String phase, long rssKb, long hwmKb, long anonKb) {
    }

    /** One GC pause from the log's summary line, sizes in KB. */
    record Pause(int id, String kind, long beforeKb, long afterKb, long committedKb, double ms) {
        boolean full() {
            return kind.startsWith("Pause Full");
        }
    }

    /** {@code GC(12) Pause Young (Allocation Failure) 120M->35M(260M) 4.321ms}, whatever the decorations. */
    private static final Pattern PAUSE = Pattern.compile(
            "GC\\((\\d+)\\) (Pause [^0-9]*?) (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\) ([0-9.]+)ms");

    private final Deployment deployment;
    private final Path javaHome;
    private final Path gcLog;
    private final String imageCheck;
    private final List<Sample> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Integer> lastGcBefore = new LinkedHashMap<>();
    private volatile String phase = "start";
    private volatile boolean sampling;
    private Thread sampler;
    private long pid;
    private long startedAt;
    private String flags = "";

    private Memory(Deployment deployment, Path javaHome, Path gcLog, String imageCheck) {
        this.deployment = deployment;
        this.javaHome = javaHome;
        this.gcLog = gcLog;
        this.imageCheck = imageCheck;
    }

    static Memory prepare(Path repo, Path work) throws IOException {
        Deployment deployment = Deployment.read(repo);
        return new Memory(deployment, javaHome(deployment.imageJdk()), work.resolve("gc.log"), imageCheck(deployment));
    }

    /** The java executable, then the image's options, the container's figures, and the GC log. */
    List<String> jvm() {
        List<String> jvm = new ArrayList<>();
        jvm.add(javaHome.resolve("bin/java").toString());
        jvm.addAll(deployment.imageJvmOptions());
        jvm.addAll(deployment.containerEmulation());
        // Measurement only: the log costs a write per collection, no memory worth counting.
        jvm.add("-Xlog:gc*:file=" + gcLog + ":uptime,level,tags:filecount=0");
        return jvm;
    }

    /**
     * The JDK that runs tenantgate: {@code BENCH_MEMORY_JAVA_HOME}, else a JDK of the image's
     * release under /usr/lib/jvm (ergonomics and footprint differ between releases), else the
     * harness's own, which the report then flags.
     */
    private static Path javaHome(String imageJdk) {
        String chosen = System.getenv("BENCH_MEMORY_JAVA_HOME");
        if (chosen != null && !chosen.isBlank()) {
            return Path.of(chosen);
        }
        try (var homes = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path home : homes.sorted().toList()) {
                if (imageJdk.equals(release(home, "JAVA_VERSION").replaceAll("[^0-9].*", ""))
                        && Files.isExecutable(home.resolve("bin/java"))) {
                    return home;
                }
            }
        } catch (IOException e) {
            // no /usr/lib/jvm: the harness's JDK it is
        }
        return Path.of(System.getProperty("java.home"));
    }

    private static String release(Path home, String key) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith(key + "=")) {
                    return line.substring(key.length() + 1).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // no release file
        }
        return "";
    }

    /**
     * Asks the image what its script computes, with the Deployment's ratio, when docker or podman
     * is at hand: the one check of the options above against the tag actually deployed. Skipped with
     * {@code BENCH_MEMORY_IMAGE_CHECK=false} (it pulls the image).
     */
    private static String imageCheck(Deployment deployment) {
        if ("false".equals(System.getenv("BENCH_MEMORY_IMAGE_CHECK"))) {
            return "not checked (BENCH_MEMORY_IMAGE_CHECK=false)";
        }
        String runtime = null;
        for (String candidate : List.of("podman", "docker")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (runtime == null && Files.isExecutable(Path.of(dir, candidate))) {
                    runtime = candidate;
                }
            }
        }
        if (runtime == null) {
            return "not checked: no docker or podman here";
        }
        String expected = String.join(" ", deployment.imageJvmOptions().subList(0,
                deployment.imageJvmOptions().size() - deployment.javaOptsAppend().size()));
        try {
            Path out = Files.createTempFile("bench-image-options", ".txt");
            Process p = new ProcessBuilder(runtime, "run", "--rm", "-e", "JAVA_MAX_MEM_RATIO=" + deployment.maxMemRatio(),
                    "--entrypoint", DEFAULT_OPTIONS_SCRIPT, deployment.image()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            // A pull can be slow; a runtime without a daemon can hang. Neither may hold up the measurement.
            boolean done = p.waitFor(5, TimeUnit.MINUTES);
            if (!done) {
                p.destroyForcibly();
            }
            String printed = Files.readString(out).strip();
            Files.deleteIfExists(out);
            if (!done || p.exitValue() != 0) {
                return "not checked: " + runtime + " run " + (done ? "failed: " + printed.lines().reduce((a, b) -> b).orElse("")
                        : "took over 5 minutes");
            }
            String actual = printed.replaceAll("\\s+", " ");
            return actual.equals(expected) ? "checked: the image's " + DEFAULT_OPTIONS_SCRIPT + " prints the same"
                    : "**DIFFERENT**: the image's " + DEFAULT_OPTIONS_SCRIPT + " prints `" + actual
                    + "`; update Memory.RUN_JAVA_GC_OPTIONS and run again";
        } catch (IOException e) {
            return "not checked: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not checked: interrupted";
        }
    }

    // ------------------------------------------------------------------ during the run

    /** Samples the process from now on, once a second, until {@link #stop}. */
    void started(long pid) {
        this.pid = pid;
        this.startedAt = System.nanoTime();
        this.flags = flags(pid);
        sampling = true;
        sampler = Thread.ofPlatform().daemon().name("memory-sampler").start(() -> {
            while (sampling) {
                sample();
                Load.sleep(SAMPLE_MILLIS);
            }
        });
    }

    /** The phase the next samples belong to; GC pauses are split at the same moments, by collection id. */
    void phase(String name) {
        lastGcBefore.put(name, pauses().stream().mapToInt(Pause::id).max().orElse(-1));
        phase = name;
    }

    /** Before the process stops: its shutdown is not part of what it needs while serving. */
    void stop() {
        phase("stopped");
        sampling = false;
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }

    private void sample() {
        long rss = 0;
        long hwm = 0;
        long anon = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kb(line);
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kb(line);
                } else if (line.startsWith("RssAnon:")) {
                    anon = kb(line);
                }
            }
        } catch (IOException e) {
            return; // the process is gone
        }
        samples.add(new Sample((System.nanoTime() - startedAt) / 1_000_000, phase, rss, hwm, anon));
    }

    private static long kb(String statusLine) {
        return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
    }

    /** The flags HotSpot settled on (MaxHeapSize above all), from {@code jcmd VM.flags}. */
    private String flags(long pid) {
        Path jcmd = javaHome.resolve("bin/jcmd");
        if (!Files.isExecutable(jcmd)) {
            jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        }
        try {
            return Load.run(Map.of(), jcmd.toString(), Long.toString(pid), "VM.flags").lines()
                    .filter(l -> l.startsWith("-")).findFirst().orElse("").strip();
        } catch (RuntimeException e) {
            return "unreadable: " + e.getMessage().lines().findFirst().orElse("");
        }
    }

    private List<Pause> pauses() {
        List<Pause> pauses = new ArrayList<>();
        if (!Files.exists(gcLog)) {
            return pauses;
        }
        try {
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = PAUSE.matcher(line);
                if (m.find()) {
                    pauses.add(new Pause(Integer.parseInt(m.group(1)), m.group(2).strip(), size(m.group(3), m.group(4)),
                            size(m.group(5), m.group(6)), size(m.group(7), m.group(8)), Double.parseDouble(m.group(9))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pauses;
    }

    private static long size(String n, String unit) {
        return Long.parseLong(n) * switch (unit) {
            case "G" -> 1024L * 1024;
            case "M" -> 1024L;
            default -> 1L;
        };
    }

    // ------------------------------------------------------------------ the report

    /** Writes README.md, rss.csv and gc.log to {@code dir} and prints the Markdown. */
    void write(Path dir, Load.Result leg, Map<String, Object> facts) throws IOException {
        Files.createDirectories(dir);
        List<Pause> all = pauses();
        int from = lastGcBefore.getOrDefault("measured", -1);
        int to = lastGcBefore.getOrDefault("stopped", Integer.MAX_VALUE);
        List<Pause> window = all.stream().filter(p -> p.id() > from && p.id() <= to).toList();
        double[] ms = window.stream().mapToDouble(Pause::ms).sorted().toArray();
        List<Sample> measured = samples.stream().filter(s -> s.phase().equals("measured")).toList();
        long steadyKb = median(measured.stream().mapToLong(Sample::rssKb).toArray());
        long steadyAnonKb = median(measured.stream().mapToLong(Sample::anonKb).toArray());
        long peakKb = samples.stream().mapToLong(Sample::hwmKb).max().orElse(0);
        long measuredMaxKb = measured.stream().mapToLong(Sample::rssKb).max().orElse(0);
        long readyKb = samples.isEmpty() ? 0 : samples.getFirst().rssKb();
        int steadyMi = mi(steadyKb);
        int peakMi = mi(peakKb);
        int requestMi = roundUp(steadyMi);
        int limitMi = Math.max(requestMi, roundUp((int) Math.ceil(peakMi * LIMIT_MARGIN)));
        String jdk = release(javaHome, "IMPLEMENTOR") + " " + release(javaHome, "JAVA_RUNTIME_VERSION");
        String jdkMajor = release(javaHome, "JAVA_VERSION").replaceAll("[^0-9].*", "");

        StringBuilder md = new StringBuilder("# tenantgate's memory under the fits leg, in the image's JVM\n\n");
        md.append("Written by `bench/run --memory` on ")
                .append(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME))
                .append(" (bench/harness/Memory.java explains the method). Not the committed benchmark report.\n\n");
        md.append("## What ran\n\n");
        md.append("- Image: `").append(deployment.image()).append("`; deployment: limit ").append(deployment.limitMi())
                .append(" Mi, request ").append(deployment.requestMi()).append(" Mi, ").append(deployment.cpus())
                .append(" CPUs, JAVA_MAX_MEM_RATIO ").append(deployment.maxMemRatio()).append('\n');
        md.append("- JDK: ").append(jdk.isBlank() ? javaHome : jdk).append(" (").append(javaHome).append(')');
        if (!jdkMajor.equals(deployment.imageJdk())) {
            md.append(" — **not the image's JDK ").append(deployment.imageJdk())
                    .append("**: ergonomics and native footprint differ between releases; set BENCH_MEMORY_JAVA_HOME to a JDK ")
                    .append(deployment.imageJdk()).append(" for figures that size the pod");
        }
        md.append('\n');
        md.append("- The image's JVM options (what run-java.sh computes, then JAVA_OPTS_APPEND): `")
                .append(String.join(" ", deployment.imageJvmOptions())).append("`\n");
        md.append("- Against the image: ").append(imageCheck).append('\n');
        md.append("- The container's figures, on the command line: `").append(String.join(" ", deployment.containerEmulation()))
                .append("`; measurement only: `-Xlog:gc*` to a file\n");
        md.append("- Flags HotSpot settled on (`jcmd VM.flags`): `").append(flags).append("`\n");
        long maxHeap = flagBytes("MaxHeapSize");
        long expectedHeap = (long) deployment.limitMi() * 1024 * 1024 * Math.round(Double.parseDouble(deployment.maxMemRatio())) / 100;
        md.append(String.format(Locale.ROOT, "- Heap max: %s MiB (the pod would get %d MiB: %s)%n",
                maxHeap < 0 ? "?" : Long.toString(maxHeap / 1024 / 1024), expectedHeap / 1024 / 1024,
                maxHeap < 0 ? "not known" : Math.abs(maxHeap - expectedHeap) <= 2 * 1024 * 1024 ? "same" : "**differs**"));
        md.append(String.format(Locale.ROOT, "- Load: the fits leg, %d tenants, %d clients bound two to a tenant, "
                + "%d s of warm-up, then %d s measured%n", TENANTS, CLIENTS, WARMUP_SECONDS, MEASURED_SECONDS));
        md.append("- Machine: ").append(machine()).append("\n\n");

        md.append("## The leg\n\n");
        md.append(String.format(Locale.ROOT, "- %,.0f req/s, p99 %.1f ms, max %.1f ms%n", leg.rps(), leg.p99(), leg.max()));
        md.append(String.format(Locale.ROOT, "- 503: %,d (%.3f%%); other non-2xx %,d; socket errors %,d%n",
                leg.status503(), leg.share503(), leg.non2xx() - leg.status503(), leg.socketErrors()));
        md.append(String.format(Locale.ROOT, "- tenantgate's CPU %.0f%% of one core; peak connections PostgreSQL %d, MariaDB %d%n%n",
                leg.cpu(), leg.peakPg(), leg.peakMy()));

        md.append("## Resident memory (VmRSS, sampled every second)\n\n");
        md.append(String.format(Locale.ROOT, "- at ready: %d MiB%n", mi(readyKb)));
        md.append(String.format(Locale.ROOT, "- steady (median of the measured %d s): %d MiB, of which anonymous %d MiB%n",
                MEASURED_SECONDS, steadyMi, mi(steadyAnonKb)));
        md.append(String.format(Locale.ROOT, "- highest sample while measured: %d MiB%n", mi(measuredMaxKb)));
        md.append(String.format(Locale.ROOT, "- peak over the process's life (VmHWM, start and warm-up included): %d MiB%n%n", peakMi));

        md.append("## GC (the measured window)\n\n");
        if (ms.length == 0) {
            md.append("- no pause in the window").append(all.isEmpty() ? " (and none parsed from gc.log: check its format)" : "")
                    .append("\n");
        } else {
            double total = Arrays.stream(ms).sum();
            md.append(String.format(Locale.ROOT, "- pauses: %d (%d full)%n", ms.length, window.stream().filter(Pause::full).count()));
            md.append(String.format(Locale.ROOT, "- max %.1f ms, p99 %.1f ms, p50 %.1f ms%n", ms[ms.length - 1],
                    pct(ms, 99), pct(ms, 50)));
            md.append(String.format(Locale.ROOT, "- total %.0f ms: %.2f%% of the window%n", total,
                    100 * total / (MEASURED_SECONDS * 1000.0)));
            md.append(String.format(Locale.ROOT, "- heap after GC: max %d MiB in the window; heap committed: max %d MiB%n",
                    mi(window.stream().mapToLong(Pause::afterKb).max().orElse(0)),
                    mi(window.stream().mapToLong(Pause::committedKb).max().orElse(0))));
        }
        md.append(String.format(Locale.ROOT, "- whole life: %d pauses (%d full), heap after GC max %d MiB%n%n", all.size(),
                all.stream().filter(Pause::full).count(), mi(all.stream().mapToLong(Pause::afterKb).max().orElse(0))));

        md.append("## Headroom and what it suggests\n\n");
        int headroom = deployment.limitMi() - peakMi;
        md.append(String.format(Locale.ROOT, "- headroom: limit %d Mi - peak RSS %d MiB = **%d MiB** (%.0f%% of the limit)%s%n",
                deployment.limitMi(), peakMi, headroom, 100.0 * headroom / deployment.limitMi(),
                headroom < 0 ? ": **the pod would have been OOM-killed**" : ""));
        md.append(String.format(Locale.ROOT, "- over the steady RSS: %d MiB%n", deployment.limitMi() - steadyMi));
        md.append(String.format(Locale.ROOT, "- rule: request = steady RSS rounded up to %d Mi (what the pod holds while "
                + "serving, so the scheduler places it where that much is free); limit = %.2f x peak RSS rounded up to "
                + "%d Mi, never below the request (the margin covers what one two-minute leg does not show: "
                + "bursts over 1,000 tenants, cold tenants, TLS, native memory that grows after the heap stops)%n",
                ROUND_MI, LIMIT_MARGIN, ROUND_MI));
        md.append(String.format(Locale.ROOT, "- suggested: **requests.memory %d Mi, limits.memory %d Mi** (now %d Mi / %d Mi)%n",
                requestMi, limitMi, deployment.requestMi(), deployment.limitMi()));
        if (limitMi != deployment.limitMi()) {
            md.append(String.format(Locale.ROOT, "- with that limit the heap becomes %d MiB (JAVA_MAX_MEM_RATIO %s): "
                    + "set it in deployment.yaml and run `bench/run --memory` again to measure it before committing%n",
                    (long) limitMi * Math.round(Double.parseDouble(deployment.maxMemRatio())) / 100, deployment.maxMemRatio()));
        }
        md.append("\nThe tenantgate config is the benchmark's (budget ").append(Bench.BUDGET)
                .append(" connections per server; production's ConfigMap sets less), so the connection-held memory is "
                        + "if anything higher than a pod's. Files beside this one: `rss.csv` (every sample), `gc.log`.\n");
        md.append("\n## Other facts of this run\n\n");
        facts.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));

        Files.writeString(dir.resolve("README.md"), md);
        List<String> csv = new ArrayList<>(List.of("millis,phase,vmrss_kb,vmhwm_kb,rssanon_kb"));
        samples.forEach(s -> csv.add(s.millis() + "," + s.phase() + "," + s.rssKb() + "," + s.hwmKb() + "," + s.anonKb()));
        Files.write(dir.resolve("rss.csv"), csv);
        if (Files.exists(gcLog)) {
            Files.copy(gcLog, dir.resolve("gc.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.println(md);
    }

    private long flagBytes(String name) {
        Matcher m = Pattern.compile("-XX:" + name + "=(\\d+)").matcher(flags);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String machine() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 2)).orElse("unknown");
            String mem = Files.readAllLines(Path.of("/proc/meminfo")).getFirst().replaceAll("\\s+", " ");
            return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores shared with the servers and wrk; " + mem;
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static int mi(long kb) {
        return (int) Math.ceil(kb / 1024.0);
    }

    private static int roundUp(int mi) {
        return (mi + ROUND_MI - 1) / ROUND_MI * ROUND_MI;
    }

    private static long median(long[] values) {
        if (values.length == 0) {
            return 0;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double pct(double[] sorted, double percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
