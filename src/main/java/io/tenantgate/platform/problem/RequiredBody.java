package io.tenantgate.platform.problem;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.NotNull;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The operation takes a body, and a missing or empty one is a 400 {@code validation} that names
 * field {@value #FIELD}, not the Java parameter the body would bind to.
 */
@NotNull
@ReportAsSingleViolation
@Constraint(validatedBy = {})
@Documented
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
public @interface RequiredBody {

    /** The field a 400 names for the body as a whole. */
    String FIELD = "body";

    String message() default "a JSON body is required";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
