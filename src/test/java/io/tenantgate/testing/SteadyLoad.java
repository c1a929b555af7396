package io.tenantgate.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closed-loop clients, one per token, each calling {@code path} back to back until stopped; every
 * answer is kept with when it came and how long it took, grouped by a label.
 */
public final class SteadyLoad implements AutoCloseable {

    /** One answer: {@code outcome} as {@link LoadClients#call} reports it. */
    public record Answer(String group, String outcome, long endNanos, long latencyNanos) {
    }

    private final int port;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();

    public SteadyLoad(int port) {
        this.port = port;
    }

    public SteadyLoad clients(String group, String token, String path, int clients) {
        for (int i = 0; i < clients; i++) {
            threads.submit(() -> {
                while (running.get()) {
                    long start = System.nanoTime();
                    String outcome = LoadClients.call(port, path, token);
                    long end = System.nanoTime();
                    answers.add(new Answer(group, outcome, end, end - start));
                }
            });
        }
        return this;
    }

    public List<Answer> answers(String group) {
        List<Answer> result = new ArrayList<>();
        for (Answer a : answers) {
            if (a.group().equals(group)) {
                result.add(a);
            }
        }
        return result;
    }

    public List<Answer> answers(String group, long fromNanos, long toNanos) {
        return answers(group).stream().filter(a -> a.endNanos() >= fromNanos && a.endNanos() < toNanos).toList();
    }

    /** Outcome to count, e.g. {"200": 812, "503 tenant-unavailable": 97}. */
    public static Map<String, Long> tally(List<Answer> answers) {
        Map<String, Long> counts = new TreeMap<>();
        answers.forEach(a -> counts.merge(a.outcome(), 1L, Long::sum));
        return counts;
    }

    public static double perSecond(List<Answer> answers, long fromNanos, long toNanos) {
        return answers.size() / ((toNanos - fromNanos) / 1e9);
    }

    /** The latency below which {@code fraction} of the answers came, in milliseconds. */
    public static double percentileMillis(List<Answer> answers, double fraction) {
        if (answers.isEmpty()) {
            return Double.NaN;
        }
        long[] sorted = answers.stream().mapToLong(Answer::latencyNanos).sorted().toArray();
        int index = (int) Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        threads.shutdown();
        if (!threads.awaitTermination(60, TimeUnit.SECONDS)) {
            threads.shutdownNow();
        }
    }
}
