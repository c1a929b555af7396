package io.tenantgate;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.tenantgate.governor.Dialect;
import io.tenantgate.governor.TenantSql;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The house rules that imports must keep (see ARCHITECTURE.md): no package cycle among
 * tenantgate's packages, the ground floor imports nothing above it, feature code never sees a pool,
 * and nothing depends on a library's {@code impl} or {@code internal} packages.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.tenantgate");
    }

    @Test
    void tenantgatesPackagesFormNoCycle() {
        slices().matching("io.tenantgate.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noClassDependsOnALibrarysImplOrInternalPackages() {
        ArchRule rule = noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.vertx..impl..", "io.vertx..internal..", "io.quarkus..impl..",
                        "io.quarkus..internal..", "io.smallrye..impl..", "io.smallrye..internal..");
        rule.check(classes);
    }

    @Test
    void theFailureVocabularyIsTheGroundFloor() {
        noClasses().that().resideInAPackage("io.tenantgate.failure..")
                .should().dependOnClassesThat().resideOutsideOfPackages("io.tenantgate.failure..", "java..",
                        "io.vertx..")
                .check(classes);
    }

    @Test
    void problemAnswersAndResilienceStandOnlyOnTheFailureVocabulary() {
        noClasses().that().resideInAnyPackage("io.tenantgate.problem..", "io.tenantgate.resilience..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tenantgate.governor..",
                        "io.tenantgate.registry..", "io.tenantgate.customers..", "io.tenantgate.reports..",
                        "io.tenantgate.dashboard..", "io.tenantgate.permissions..", "io.tenantgate.idempotency..",
                        "io.tenantgate.lifecycle..", "io.tenantgate.migration..", "io.tenantgate.admin..")
                .check(classes);
    }

    @Test
    void theGovernorImportsNoFeatureControlOrEdgeCode() {
        noClasses().that().resideInAPackage("io.tenantgate.governor..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tenantgate.customers..",
                        "io.tenantgate.reports..", "io.tenantgate.dashboard..", "io.tenantgate.permissions..",
                        "io.tenantgate.idempotency..", "io.tenantgate.lifecycle..", "io.tenantgate.migration..",
                        "io.tenantgate.admin..", "io.tenantgate.health..", "io.tenantgate.metrics..",
                        "io.tenantgate.api..", "io.tenantgate.security..", "io.tenantgate.demo..")
                .check(classes);
    }

    @Test
    void featureCodeNeverSeesAPoolOrAConnectionFactory() {
        noClasses().that().resideInAnyPackage("io.tenantgate.customers..", "io.tenantgate.reports..",
                        "io.tenantgate.dashboard..", "io.tenantgate.permissions..", "io.tenantgate.idempotency..")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.vertx.sqlclient.Pool")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.vertx.mutiny.sqlclient.Pool")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.vertx.pgclient.PgConnection")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.vertx.mysqlclient.MySQLConnection")
                .orShould().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("io.tenantgate.governor..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.belongToAnyOf(TenantSql.class, Dialect.class))))
                .because("tenant SQL goes through one facade, TenantSql, that applies the tenant's pool, guard and budget,"
                        + " and hands the work its Dialect")
                .check(classes);
    }
}
