package io.tenantgate;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parts a server's budget delegates to (share, permits, hand-over rules, stall detector,
 * counters) are plain logic: they see no Vert.x or Netty type, and take no lock of their own, since
 * {@code ServerBudget} calls them under its lock with the time passed in.
 */
class BudgetPartsArchitectureTest {

    private static final String PACKAGE = "io.tenantgate.governor";
    private static final List<String> PARTS =
            List.of("ServerHealth", "ServerShare", "ServerPermits", "HandOverRules", "ServerCounters", "ServerLinks");

    private static final DescribedPredicate<JavaClass> BUDGET_PARTS =
            DescribedPredicate.describe("are budget parts " + PARTS, c -> isPart(c.getName()));

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(PACKAGE);
    }

    /** The part itself or one of its nested classes. */
    private static boolean isPart(String className) {
        for (String part : PARTS) {
            String name = PACKAGE + "." + part;
            if (className.equals(name) || className.startsWith(name + "$")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void budgetPartsDependOnNoVertxType() {
        assertAllPartsImported();
        noClasses().that(BUDGET_PARTS)
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.netty..")
                .because("the budget's parts are plain logic; ServerBudget does the I/O")
                .check(classes);
    }

    @Test
    void budgetPartsTakeNoLock() throws IOException {
        assertAllPartsImported();
        methods().that().areDeclaredInClassesThat(BUDGET_PARTS)
                .should().notHaveModifier(JavaModifier.SYNCHRONIZED)
                .check(classes);

        Set<String> monitorMethods = Set.of("wait", "notify", "notifyAll");
        noClasses().that(BUDGET_PARTS)
                .should().callMethodWhere(DescribedPredicate.describe("a monitor method (wait, notify, notifyAll)",
                        (JavaMethodCall call) -> monitorMethods.contains(call.getTarget().getName())))
                .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent.locks..")
                .because("ServerBudget calls its parts under its own lock")
                .check(classes);

        // ArchUnit does not see synchronized blocks: read the parts' sources instead.
        Path sources = sourceFolder();
        Pattern keyword = Pattern.compile("\\bsynchronized\\b");
        for (String part : PARTS) {
            Path file = sources.resolve(part + ".java");
            assertTrue(Files.isRegularFile(file), "no source file " + file.toAbsolutePath());
            String code = withoutCommentsAndLiterals(Files.readString(file, StandardCharsets.UTF_8));
            assertFalse(keyword.matcher(code).find(), part + " takes a lock (synchronized) of its own");
        }
    }

    private static void assertAllPartsImported() {
        for (String part : PARTS) {
            assertTrue(classes.contain(PACKAGE + "." + part), part + " was not imported");
        }
    }

    private static Path sourceFolder() {
        Path relative = Path.of("src", "main", "java", "io", "tenantgate", "governor");
        String basedir = System.getProperty("basedir");
        if (basedir != null && Files.isDirectory(Path.of(basedir).resolve(relative))) {
            return Path.of(basedir).resolve(relative);
        }
        return relative;
    }

    /** Java source with its comments, string and character literals blanked out. */
    static String withoutCommentsAndLiterals(String source) {
        StringBuilder code = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            char next = i + 1 < n ? source.charAt(i + 1) : '\0';
            if (c == '/' && next == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && next == '*') {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                code.append(' ');
            } else if (c == '"' && source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                code.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && source.charAt(i) != c) {
                    i += source.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                code.append(c).append(c);
            } else {
                code.append(c);
                i++;
            }
        }
        return code.toString();
    }
}
