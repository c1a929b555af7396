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
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The house rules that imports must keep (see ARCHITECTURE.md): no package cycle among
 * tenantgate's packages, imports run only down the planes, the ground floor imports nothing above
 * it, feature code never sees a pool, and nothing depends on a library's {@code impl} or
 * {@code internal} packages.
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
        slices().matching("io.tenantgate.(**)").should().beFreeOfCycles().check(classes);
    }

    /**
     * The planes stack tenant APIs → control → governor → platform: a plane imports only the planes
     * below it, so the governor cannot reach the registry or a feature, and the platform reaches
     * nothing of ours. The demo (its own source folder) may use everything and nothing uses it.
     */
    @Test
    void importsRunOnlyDownThePlanes() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("tenant APIs").definedBy("io.tenantgate.tenant..")
                .layer("control").definedBy("io.tenantgate.control..")
                .layer("governor").definedBy("io.tenantgate.governor..")
                .layer("platform").definedBy("io.tenantgate.platform..")
                .layer("demo").definedBy("io.tenantgate.demo..")
                .whereLayer("tenant APIs").mayOnlyBeAccessedByLayers("demo")
                .whereLayer("control").mayOnlyBeAccessedByLayers("tenant APIs", "demo")
                .whereLayer("governor").mayOnlyBeAccessedByLayers("control", "tenant APIs", "demo")
                .whereLayer("platform").mayOnlyBeAccessedByLayers("tenant APIs", "control", "governor", "demo")
                .whereLayer("demo").mayNotBeAccessedByAnyLayer()
                .check(classes);
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
        noClasses().that().resideInAPackage("io.tenantgate.platform.failure..")
                .should().dependOnClassesThat().resideOutsideOfPackages("io.tenantgate.platform.failure..",
                        "java..", "javax.net.ssl..", "io.vertx..")
                .check(classes);
    }

    @Test
    void problemAnswersAndResilienceStandOnlyOnTheFailureVocabulary() {
        noClasses().that().resideInAnyPackage("io.tenantgate.platform.problem..",
                        "io.tenantgate.governor.resilience..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tenantgate.tenant..",
                        "io.tenantgate.control..", "io.tenantgate.platform.observability..",
                        "io.tenantgate.platform.openapi..")
                .orShould().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("io.tenantgate.governor..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage(
                                "io.tenantgate.governor.resilience.."))))
                .check(classes);
    }

    @Test
    void featureCodeNeverSeesAPoolOrAConnectionFactory() {
        noClasses().that().resideInAPackage("io.tenantgate.tenant..")
                .should().dependOnClassesThat().haveFullyQualifiedName("io.vertx.sqlclient.Pool")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.vertx.mutiny.sqlclient.Pool")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.vertx.pgclient.PgConnection")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.vertx.mysqlclient.MySQLConnection")
                .orShould().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("io.tenantgate.governor..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.belongToAnyOf(TenantSql.class, Dialect.class)))
                        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("io.tenantgate.governor.route.."))))
                .because("tenant SQL goes through one facade, TenantSql, that applies the tenant's pool, guard and budget,"
                        + " and hands the work its Dialect; a feature reads only the tenant's route")
                .check(classes);
    }
}
