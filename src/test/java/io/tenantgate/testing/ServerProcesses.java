package io.tenantgate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Crashes, freezes and thaws a real database server's processes, found through the pid file in
 * its data directory (PostgreSQL's {@code postmaster.pid}, MariaDB's {@code <host>.pid}).
 */
public final class ServerProcesses {

    private ServerProcesses() {
    }

    /** The server's main process and every process under it (PostgreSQL's backends and workers). */
    public static List<Long> tree(Path dataDirectory) {
        long main = mainPid(dataDirectory);
        List<Long> pids = new ArrayList<>();
        pids.add(main);
        ProcessHandle.of(main).ifPresent(handle -> handle.descendants().forEach(child -> pids.add(child.pid())));
        return pids;
    }

    /** {@code kill -9}: the server dies without a word, as in a host crash or an OOM kill. */
    public static void crash(Path dataDirectory) {
        long main = mainPid(dataDirectory);
        ProcessHandle handle = ProcessHandle.of(main).orElseThrow(() -> new IllegalStateException("no process " + main));
        signal("KILL", tree(dataDirectory));
        handle.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    }

    /**
     * {@code kill -9} of every process under the server's main one: for PostgreSQL, a backend dying
     * that way makes the postmaster end all the others and restart, as after a crash.
     */
    public static void crashChildren(Path dataDirectory) {
        List<Long> children = tree(dataDirectory);
        children.removeFirst();
        signal("KILL", children);
    }

    /** {@code SIGSTOP} on the whole tree: the server still accepts TCP connections but answers nothing. */
    public static void freeze(Path dataDirectory) {
        signal("STOP", tree(dataDirectory));
    }

    public static void thaw(Path dataDirectory) {
        signal("CONT", tree(dataDirectory));
    }

    private static long mainPid(Path dataDirectory) {
        try (Stream<Path> files = Files.list(dataDirectory)) {
            Path pidFile = files.filter(f -> f.getFileName().toString().endsWith(".pid")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no pid file in " + dataDirectory));
            return Long.parseLong(Files.readAllLines(pidFile).getFirst().strip());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the pid file in " + dataDirectory, e);
        }
    }

    private static void signal(String signal, List<Long> pids) {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        try {
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes());
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("kill -" + signal + " " + pids + " did not finish");
            }
            // A backend may end between listing the tree and signalling it; only other errors count.
            boolean onlyGone = output.lines().allMatch(line -> line.isBlank() || line.contains("No such process"));
            if (kill.exitValue() != 0 && !onlyGone) {
                throw new IllegalStateException("kill -" + signal + " " + pids + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
