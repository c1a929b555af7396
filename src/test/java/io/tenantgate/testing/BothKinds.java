package io.tenantgate.testing;

import io.tenantgate.governor.route.DatabaseKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test runs once per database kind, PostgreSQL and MySQL/MariaDB, and takes the kind as its
 * first parameter: every tenant behaviour is proved on both.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}")
@EnumSource(DatabaseKind.class)
public @interface BothKinds {
}
