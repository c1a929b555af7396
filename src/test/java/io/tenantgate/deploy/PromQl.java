package io.tenantgate.deploy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough PromQL to find what an alert expression reads: the metric names, the labels each is
 * filtered on, and the labels it groups by. Conservative: any word that is not a function, an
 * operator keyword or a label is taken for a metric name, so an unknown word fails the check
 * rather than slipping through.
 */
final class PromQl {

    /** What one expression reads. */
    record Selectors(Map<String, Set<String>> labelsByMetric, Set<String> groupingLabels) {
    }

    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern WORD = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{[^}]*\\})?");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    private static final Set<String> KEYWORDS =
            Set.of("and", "or", "unless", "bool", "offset", "group_left", "group_right", "by", "without", "on", "ignoring");

    private PromQl() {
    }

    static Selectors selectors(String expression) {
        String text = RANGE.matcher(expression).replaceAll(" ");
        Set<String> grouping = new HashSet<>();
        Matcher clause = GROUPING.matcher(text);
        while (clause.find()) {
            for (String label : clause.group(2).split(",")) {
                if (!label.isBlank()) {
                    grouping.add(label.strip());
                }
            }
        }
        text = GROUPING.matcher(text).replaceAll(" ");
        Map<String, Set<String>> metrics = new HashMap<>();
        Matcher word = WORD.matcher(text);
        while (word.find()) {
            String name = word.group(1);
            String braces = word.group(2);
            boolean calledAsFunction = braces == null && text.substring(word.end()).stripLeading().startsWith("(");
            if (calledAsFunction || KEYWORDS.contains(name)) {
                continue;
            }
            Set<String> labels = metrics.computeIfAbsent(name, n -> new HashSet<>());
            if (braces != null) {
                Matcher matcher = MATCHER.matcher(braces.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\""));
                while (matcher.find()) {
                    labels.add(matcher.group(1));
                }
            }
        }
        return new Selectors(metrics, grouping);
    }

    /** Metric name to the label names its series carry, from a Prometheus text exposition. */
    static Map<String, Set<String>> exposition(String text) {
        Map<String, Set<String>> series = new HashMap<>();
        Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
            Set<String> labels = series.computeIfAbsent(line.substring(0, end), n -> new HashSet<>());
            if (line.indexOf('{') >= 0) {
                Matcher m = label.matcher(line.substring(line.indexOf('{'), line.lastIndexOf('}') + 1));
                while (m.find()) {
                    labels.add(m.group(1));
                }
            }
        }
        return series;
    }
}
