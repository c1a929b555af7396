package io.tenantgate.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The documentation's cross-references resolve, so a page or section that moves cannot leave a
 * dead link behind: every relative link in the repository's markdown reaches a file, and every
 * {@code #anchor} a heading of the page it names; every document (and section) that a source file,
 * Dockerfile, manifest or build script cites by name exists.
 *
 * <p>Anchors follow GitHub's rules: the heading's text as rendered (code spans, emphasis and links
 * reduced to their text), lower-cased, every character that is not a letter, digit, {@code -},
 * {@code _} or space dropped, spaces made {@code -}; the second heading with the same slug gets
 * {@code -1}, the third {@code -2}. Links to other sites ({@code http:}, {@code https:},
 * {@code mailto:}) are not followed, and nothing inside a fenced code block or a code span is a link
 * or a heading.
 */
class DocumentationLinksTest {

    private static final Path ROOT = Path.of("");
    /** Folders that hold build output or tool state, not documentation. */
    private static final Set<String> SKIPPED = Set.of("target", ".git", ".mvn", "node_modules");
    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
    private static final Pattern INLINE_LINK = Pattern.compile("!?\\[((?:[^\\[\\]]|\\[[^\\]]*\\])*)\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE_LINK = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    /** Where documents are cited by name: code, image recipes, manifests, build and CI scripts. */
    private static final List<Path> CITING = List.of(Path.of("src"), Path.of("deploy"), Path.of("bench"),
            Path.of("pom.xml"), Path.of(".ci"), Path.of("bin"));
    private static final Pattern CITING_FILE = Pattern.compile(".*\\.(java|ya?ml|properties|xml|pem|lua|sh)$|.*/Dockerfile[^/]*$|.*/(run|with-jdk)$");
    /** A document's path as cited: {@code docs/api.md}, or {@code README.md} beside the citing file or at the top. */
    private static final Pattern CITED_DOCUMENT = Pattern.compile("(?<![\\w./-])((?:\\.{1,2}/|[\\w-]+/)*[\\w-]+\\.md)\\b");
    /** A section cited with its document: {@code docs/api.md, "Problem types"} or {@code "Identity providers" in docs/configuration.md}. */
    private static final Pattern CITED_SECTION = Pattern.compile(
            "((?:[\\w-]+/)*[\\w-]+\\.md)`?,\\s+\"([^\"]+)\"|\"([^\"]+)\"\\s+in\\s+`?((?:[\\w-]+/)*[\\w-]+\\.md)");

    private final Map<Path, Set<String>> anchors = new HashMap<>();

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<Path> pages = markdownPages();
        assertFalse(pages.isEmpty(), "no markdown found under " + ROOT.toAbsolutePath());
        List<String> problems = new ArrayList<>();
        for (Path page : pages) {
            List<String> lines = Files.readAllLines(page);
            boolean fenced = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (FENCE.matcher(line).find()) {
                    fenced = !fenced;
                    continue;
                }
                if (fenced) {
                    continue;
                }
                String text = CODE_SPAN.matcher(line).replaceAll("");
                List<String> targets = new ArrayList<>();
                Matcher inline = INLINE_LINK.matcher(text);
                while (inline.find()) {
                    targets.add(inline.group(2));
                }
                Matcher reference = REFERENCE_LINK.matcher(text);
                if (reference.matches()) {
                    targets.add(reference.group(1));
                }
                for (String target : targets) {
                    String problem = unresolved(page, target);
                    if (problem != null) {
                        problems.add(page + ":" + (i + 1) + ": (" + target + ") " + problem);
                    }
                }
            }
        }
        assertEquals("", String.join("\n", problems), problems.size() + " links do not resolve");
    }

    /**
     * Code, Dockerfiles, manifests and scripts cite documents by path ({@code docs/api.md}) and
     * sections by their heading ({@code docs/operations.md, "Container images and Kubernetes"}); a
     * cited document exists, relative to the citing file or to the repository, and so does the
     * section, as a heading of that document.
     */
    @Test
    void everyDocumentAndSectionCitedByCodeAndManifestsExists() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path file : citingFiles()) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                Matcher document = CITED_DOCUMENT.matcher(line);
                while (document.find()) {
                    if (cited(file, document.group(1)) == null) {
                        problems.add(file + ":" + (i + 1) + ": cites " + document.group(1) + ", which does not exist");
                    }
                }
                Matcher section = CITED_SECTION.matcher(line);
                while (section.find()) {
                    String name = section.group(1) != null ? section.group(1) : section.group(4);
                    String heading = section.group(1) != null ? section.group(2) : section.group(3);
                    Path cited = cited(file, name);
                    if (cited != null && !anchorsOf(cited).contains(slug(heading))) {
                        problems.add(file + ":" + (i + 1) + ": cites \"" + heading + "\" in " + name
                                + ", which has no such heading");
                    }
                }
            }
        }
        assertEquals("", String.join("\n", problems), problems.size() + " citations do not resolve");
    }

    /** Why {@code target}, linked from {@code page}, does not resolve; null when it does. */
    private String unresolved(Path page, String target) {
        if (target.isEmpty()) {
            return "an empty link";
        }
        if (SCHEME.matcher(target).find()) {
            return null; // another site, or mail
        }
        int hash = target.indexOf('#');
        String path = URLDecoder.decode(hash < 0 ? target : target.substring(0, hash), StandardCharsets.UTF_8);
        String anchor = hash < 0 ? null : URLDecoder.decode(target.substring(hash + 1), StandardCharsets.UTF_8);
        Path file = path.isEmpty() ? page : resolve(page, path);
        if (!Files.exists(file)) {
            return "no such file: " + file.normalize();
        }
        if (anchor != null && file.toString().endsWith(".md") && !anchorsOf(file).contains(anchor)) {
            return "no heading in " + file.normalize() + " has the anchor #" + anchor;
        }
        return null;
    }

    /** The anchors GitHub gives the headings of {@code page} (and any HTML anchors it declares). */
    private Set<String> anchorsOf(Path page) {
        return anchors.computeIfAbsent(page.normalize(), p -> {
            Set<String> found = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            boolean fenced = false;
            try {
                for (String line : Files.readAllLines(p)) {
                    if (FENCE.matcher(line).find()) {
                        fenced = !fenced;
                        continue;
                    }
                    if (fenced) {
                        continue;
                    }
                    Matcher html = HTML_ANCHOR.matcher(line);
                    while (html.find()) {
                        found.add(html.group(1));
                    }
                    Matcher heading = HEADING.matcher(line);
                    if (heading.matches()) {
                        String slug = slug(heading.group(2));
                        int times = seen.merge(slug, 1, Integer::sum);
                        found.add(times == 1 ? slug : slug + "-" + (times - 1));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return found;
        });
    }

    /** GitHub's anchor for a heading's markdown text. */
    static String slug(String heading) {
        String text = heading
                .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1") // links and images: their text
                .replaceAll("<[^>]+>", "")                         // HTML tags
                .replace("`", "")                                  // code spans: their text
                .replaceAll("(\\*+|(?<!\\w)_+|_+(?!\\w))", "");   // emphasis markers, not snake_case
        return text.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}\\p{M}\\p{Pc}\\- ]", "")
                .replace(' ', '-');
    }

    /** A cited document, relative to the citing file first and then to the repository; null if neither exists. */
    private static Path cited(Path file, String name) {
        for (Path candidate : List.of(resolve(file, name), ROOT.resolve(name))) {
            if (Files.isRegularFile(candidate)) {
                return candidate.normalize();
            }
        }
        return null;
    }

    private static Path resolve(Path page, String path) {
        Path parent = page.getParent();
        return (parent == null ? Path.of(path) : parent.resolve(path)).normalize();
    }

    private static List<Path> markdownPages() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(f -> f.toString().endsWith(".md") && Files.isRegularFile(f) && !skipped(f))
                    .map(Path::normalize).sorted().toList();
        }
    }

    private static List<Path> citingFiles() throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path start : CITING) {
            if (Files.exists(start)) {
                try (Stream<Path> files = Files.walk(start)) {
                    files.filter(f -> Files.isRegularFile(f) && !skipped(f)
                                    && CITING_FILE.matcher("/" + f.toString().replace('\\', '/')).matches())
                            .sorted().forEach(found::add);
                }
            }
        }
        return found;
    }

    private static boolean skipped(Path file) {
        for (Path part : file.normalize()) {
            if (SKIPPED.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }
}
