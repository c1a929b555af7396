package io.tenantgate.platform.problem;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ProblemType} is the one list of problem types: the code answers with no slug that is not
 * in it (with the status it gives there), it holds no slug that nothing answers with, and the
 * table in docs/api.md lists exactly its slugs with their statuses.
 */
class ProblemTypesTest {

    /** The ways main code names a problem type, each with the status it implies (0: the match names it). */
    private static final Map<Pattern, Integer> ANSWERS = Map.of(
            Pattern.compile("default -> \"([a-z-]+)\""), 400, // ProblemMappers: any other 4xx a framework throws
            Pattern.compile("ProblemException\\(\\s*(\\d{3})\\s*,\\s*\"([a-z-]+)\""), 0,
            Pattern.compile("Problem\\.response\\(\\s*(\\d{3})\\s*,\\s*\"([a-z-]+)\""), 0,
            Pattern.compile("case (\\d{3}) -> \"([a-z-]+)\""), 0,
            Pattern.compile("badRequest\\(\\s*\"([a-z-]+)\""), 400,
            Pattern.compile("notFound\\(\\s*\"([a-z-]+)\""), 404,
            Pattern.compile("unprocessable\\(\\s*\"([a-z-]+)\""), 422,
            Pattern.compile("unavailable\\(\\s*\"([a-z-]+)\""), 503,
            Pattern.compile("\\b[A-Z_]+\\(\"([a-z-]+)\", \\d+\\)"), 503); // GovernorRejection.Reason

    private static Map<String, Set<Integer>> answeredInCode() throws IOException {
        Map<String, Set<Integer>> found = new TreeMap<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                if (file.endsWith("ProblemType.java")) {
                    continue;
                }
                String source = Files.readString(file);
                boolean mapper = file.endsWith("ProblemMappers.java");
                ANSWERS.forEach((pattern, status) -> {
                    if (pattern.pattern().startsWith("default") && !mapper) {
                        return; // a switch's default names a problem type only in the mapper
                    }
                    Matcher m = pattern.matcher(source);
                    while (m.find()) {
                        String slug = status == 0 ? m.group(2) : m.group(1);
                        int code = status == 0 ? Integer.parseInt(m.group(1)) : status;
                        found.computeIfAbsent(slug, s -> new TreeSet<>()).add(code);
                    }
                });
            }
        }
        return found;
    }

    @Test
    void everySlugTheCodeAnswersWithIsRegisteredWithTheSameStatus() throws IOException {
        Map<String, Set<Integer>> found = answeredInCode();
        found.forEach((slug, statuses) -> {
            ProblemType type = ProblemType.of(slug).orElse(null);
            assertTrue(type != null, "the code answers " + slug + ", which ProblemType lacks");
            assertEquals(Set.of(type.status), statuses, slug + " is answered with another status than registered");
        });
    }

    @Test
    void everyRegisteredTypeIsAnsweredSomewhere() throws IOException {
        Map<String, Set<Integer>> found = answeredInCode();
        for (ProblemType type : ProblemType.values()) {
            boolean named = found.containsKey(type.slug) || usedAsConstant(type);
            assertTrue(named, type.slug + " is registered but nothing answers with it");
        }
    }

    private static boolean usedAsConstant(ProblemType type) {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            return files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("ProblemType.java"))
                    .anyMatch(f -> read(f).contains("ProblemType." + type.name()) && !f.endsWith("ProblemResponses.java"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theApiPagesTableListsExactlyTheRegisteredTypes() throws IOException {
        String page = Files.readString(Path.of("docs/api.md"));
        int start = page.indexOf("### Problem types");
        int next = page.indexOf("\n## ", start);
        Map<String, Integer> listed = new TreeMap<>();
        for (String line : page.substring(start, next < 0 ? page.length() : next).lines().toList()) {
            Matcher row = Pattern.compile("^\\| ([0-9, ]+) \\| ([^|]+) \\|").matcher(line);
            if (!row.find()) {
                continue;
            }
            String[] statuses = row.group(1).split(",\\s*");
            Matcher slug = Pattern.compile("`([a-z-]+)`").matcher(row.group(2));
            while (slug.find()) {
                assertEquals(1, statuses.length, "one status per row that names slugs: " + line);
                listed.put(slug.group(1), Integer.parseInt(statuses[0].trim()));
            }
        }
        Map<String, Integer> registered = new TreeMap<>();
        for (ProblemType type : ProblemType.values()) {
            registered.put(type.slug, type.status);
        }
        assertEquals(registered, listed, "docs/api.md's problem table and ProblemType");
    }
}
