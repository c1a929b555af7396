package io.tenantgate.tenant.customers;

import io.tenantgate.platform.problem.Inputs;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST} and {@code PUT /api/customers}. The e-mail's length is checked again
 * after it is lower-cased ({@link CustomerService}): some letters grow when lower-cased.
 */
public record CustomerInput(
        @NotBlank @Size(max = 200) @Pattern(regexp = Inputs.SINGLE_LINE, message = Inputs.SINGLE_LINE_MESSAGE)
        String name,
        @NotBlank @Email @Size(max = CustomerInput.EMAIL_MAX)
        @Pattern(regexp = Inputs.SINGLE_LINE, message = Inputs.SINGLE_LINE_MESSAGE)
        String email,
        @Size(max = 40) @Pattern(regexp = "^[0-9+()\\-. ]*$", message = "digits, spaces and + ( ) - . only")
        String phone) {

    /** The column's size, in characters, on both kinds. */
    public static final int EMAIL_MAX = 254;
}
