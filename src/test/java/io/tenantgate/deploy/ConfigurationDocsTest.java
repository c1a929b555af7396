package io.tenantgate.deploy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.SmallRyeConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Settings table of docs/configuration.md says what the code does: every configuration property
 * tenantgate reads has a row, and a row states the default the code has, so a user who sets the
 * documented default changes nothing. The code is the truth: a mismatch is fixed in the docs.
 *
 * <p>A row is {@code | `property` | `ENV_VAR` | meaning ... default `x` ... |}. How each property is
 * documented:
 * <ul>
 *   <li>every property a deployment can set on its own has a row of its own, naming the environment
 *       variable that sets it (SmallRye's form: upper case, every other character {@code _});</li>
 *   <li>a map entry is documented with its key spelled as a placeholder in quotes
 *       ({@code tenantgate.budget.servers."host:port"}); no environment variable can spell such a
 *       key, so its env column is not checked;</li>
 *   <li>a group of properties may share one row ending in {@code .*} that names each of its members
 *       in backticks, a member with a default as {@code `member` (default `x`)}. That is allowed for
 *       the groups under a map key ({@code tenantgate.database-tls.servers."host:port".*}, whose members
 *       repeat global settings with rows of their own) and for the dev, demo and test helpers
 *       ({@code tenantgate.demo.*}, {@code tenantgate.dev-token.*}), which production never sets.</li>
 * </ul>
 * Defaults compare by what the property's type makes of them: durations by length ({@code 60s} is
 * {@code 1m}, {@code 50ms} is {@code PT0.05S}), decimals by value ({@code 0.80} is {@code 0.8}),
 * everything else (integers, booleans, strings) exactly. A default of application.properties (prod
 * profile) outranks the interface's {@code @WithDefault}, as it does in a running pod.
 *
 * <p>The table's other rows (the Quarkus, MicroProfile JWT and SmallRye JWT settings tenantgate relies
 * on) are checked for the ones whose defaults tenantgate itself sets.
 */
class ConfigurationDocsTest {

    private static final Path CONFIGURATION_DOCS = Path.of("docs/configuration.md");
    private static final String OWN_PREFIX = "tenantgate.";
    /** Groups with no map key that one {@code .*} row may document: dev, demo and test helpers only. */
    private static final Set<String> GROUP_ROWS = Set.of("tenantgate.demo", "tenantgate.dev-token");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*(.*?)\\s*\\|\\s*(.*?)\\s*\\|\\s*(.*?)\\s*\\|\\s*$");
    private static final Pattern DEFAULT = Pattern.compile("default `([^`]*)`");

    /** One row of the Settings table: the setting it names, the env var column, the meaning. */
    record Row(String setting, String env, String meaning) {
    }

    @Test
    void everyTenantgatePropertyIsDocumentedWithTheDefaultTheCodeHas() throws IOException {
        List<Row> rows = settingsTable();
        SmallRyeConfig prod = PropertyCatalogue.load().prodConfig(Map.of());
        List<String> problems = new ArrayList<>();

        Map<String, Row> byKey = new LinkedHashMap<>();
        for (Row row : rows) {
            if (!row.setting().startsWith("`" + OWN_PREFIX)) {
                continue;
            }
            if (!row.setting().matches("`[^`]+`")) {
                problems.add("the row " + row.setting() + " names more than one setting: give each its own row");
                continue;
            }
            byKey.put(key(row.setting().substring(1, row.setting().length() - 1)), row);
        }

        Set<String> documented = new HashSet<>();
        // A list is also settable by index (ca-files[0]); that form is the list's own row.
        List<PropertyCatalogue.OwnProperty> properties = PropertyCatalogue.own().stream()
                .filter(p -> !p.name().endsWith("[*]"))
                .sorted(Comparator.comparing(PropertyCatalogue.OwnProperty::name)).toList();
        for (PropertyCatalogue.OwnProperty property : properties) {
            String key = key(property.name());
            Optional<String> expected = expectedDefault(prod, property);
            Row own = byKey.get(key);
            if (own != null) {
                documented.add(key);
                if (!key.contains("*")) {
                    String env = "`" + property.name().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "`";
                    if (!own.env().equals(env)) {
                        problems.add(property.name() + ": its row's env var column says " + quoted(own.env())
                                + ", not " + env);
                    }
                }
                expected.ifPresent(value -> {
                    Matcher stated = DEFAULT.matcher(own.meaning());
                    if (!stated.find()) {
                        problems.add(property.name() + ": its row states no default; the code's is `" + value + "`");
                    } else if (!sameValue(property.type(), value, stated.group(1))) {
                        problems.add(property.name() + ": the row says default `" + stated.group(1)
                                + "`, the code's is `" + value + "`");
                    }
                });
                continue;
            }
            Optional<String> group = byKey.keySet().stream()
                    .filter(k -> k.endsWith(".*") && key.startsWith(k.substring(0, k.length() - 1))).findFirst();
            if (group.isEmpty()) {
                problems.add(property.name() + " has no row" + expected.map(d -> " (its default: `" + d + "`)").orElse(""));
                continue;
            }
            documented.add(group.get());
            String prefix = group.get().substring(0, group.get().length() - 2);
            if (!prefix.contains("*") && !GROUP_ROWS.contains(prefix)) {
                problems.add(property.name() + " is documented only by the row " + prefix
                        + ".*: a setting production may use has a row of its own");
            }
            String member = key.substring(prefix.length() + 1);
            Row row = byKey.get(group.get());
            if (!row.meaning().contains("`" + member + "`")) {
                problems.add(property.name() + ": the row " + prefix + ".* does not name `" + member + "`");
            }
            expected.ifPresent(value -> {
                Matcher stated = Pattern.compile("`" + Pattern.quote(member) + "` \\(default `([^`]*)`\\)").matcher(row.meaning());
                if (!stated.find()) {
                    problems.add(property.name() + ": the row " + prefix + ".* does not state `" + member
                            + "` (default `" + value + "`)");
                } else if (!sameValue(property.type(), value, stated.group(1))) {
                    problems.add(property.name() + ": the row " + prefix + ".* says default `" + stated.group(1)
                            + "`, the code's is `" + value + "`");
                }
            });
        }
        byKey.keySet().stream().filter(k -> !documented.contains(k))
                .forEach(k -> problems.add("the row " + k + " documents no property tenantgate reads"));

        assertEquals("", String.join("\n", problems),
                "docs/configuration.md's Settings table disagrees with the code in " + problems.size() + " places");
    }

    /**
     * The settings of other extensions whose defaults tenantgate sets in application.properties (the
     * token settings) have rows of their own with the environment variable and the default in force.
     */
    @Test
    void theTokenSettingsOfOtherExtensionsAreDocumentedWithTheDefaultsTenantgateGivesThem() throws IOException {
        List<Row> rows = settingsTable();
        SmallRyeConfig prod = PropertyCatalogue.load().prodConfig(Map.of());
        List<String> problems = new ArrayList<>();
        for (String property : List.of("mp.jwt.verify.issuer", "mp.jwt.verify.audiences", "smallrye.jwt.path.groups",
                "smallrye.jwt.jwks.refresh-interval", "smallrye.jwt.jwks.forced-refresh-interval")) {
            String env = "`" + property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "`";
            Optional<Row> row = rows.stream().filter(r -> r.setting().equals("`" + property + "`")).findFirst();
            if (row.isEmpty() || !row.get().env().equals(env)) {
                problems.add(property + " has no row of its own naming " + env);
                continue;
            }
            Matcher stated = DEFAULT.matcher(row.get().meaning());
            String value = String.join(",", prod.getValues(property, String.class));
            if (!stated.find() || !stated.group(1).equals(value)) {
                problems.add(property + ": the row should say default `" + value + "`");
            }
        }
        assertEquals("", String.join("\n", problems));
    }

    /** The rows of the table under "## Settings", up to the first line that is not part of it. */
    private static List<Row> settingsTable() throws IOException {
        List<String> lines = Files.readAllLines(CONFIGURATION_DOCS);
        int start = lines.indexOf("## Settings");
        if (start < 0) {
            throw new AssertionError(CONFIGURATION_DOCS + " has no \"## Settings\" section");
        }
        List<Row> rows = new ArrayList<>();
        int i = start + 1;
        while (i < lines.size() && !lines.get(i).startsWith("|")) {
            i++;
        }
        for (i += 2; i < lines.size() && lines.get(i).startsWith("|"); i++) { // past the header and its rule
            Matcher row = ROW.matcher(lines.get(i));
            if (!row.matches()) {
                throw new AssertionError("not a row of three cells: " + lines.get(i));
            }
            rows.add(new Row(row.group(1), row.group(2), row.group(3)));
        }
        return rows;
    }

    /** A property's name with every map key, quoted placeholder or {@code *}, as {@code *}. */
    private static String key(String name) {
        return name.replaceAll("\"[^\"]*\"", "*");
    }

    /** The default a pod runs with: application.properties (prod profile) if it sets one, else the code's. */
    private static Optional<String> expectedDefault(SmallRyeConfig prod, PropertyCatalogue.OwnProperty property) {
        if (!property.name().contains("*")) {
            ConfigValue value = prod.getConfigValue(property.name());
            if (value.getConfigSourceName() != null && value.getConfigSourceName().contains("application.properties")) {
                return Optional.ofNullable(value.getRawValue());
            }
        }
        return property.defaultValue();
    }

    /** Whether the docs' default is the code's, as the property's type reads both. */
    private static boolean sameValue(Class<?> type, String code, String docs) {
        try {
            if (type == Duration.class) {
                DurationConverter durations = new DurationConverter();
                return durations.convert(code).equals(durations.convert(docs));
            }
            if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
                return new BigDecimal(code).compareTo(new BigDecimal(docs)) == 0;
            }
        } catch (RuntimeException e) {
            return false;
        }
        return code.equals(docs);
    }

    private static String quoted(String cell) {
        return cell.isEmpty() ? "nothing" : cell;
    }
}
