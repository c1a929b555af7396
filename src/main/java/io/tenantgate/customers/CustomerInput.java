package io.tenantgate.customers;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** The body of {@code POST} and {@code PUT /api/customers}. */
public record CustomerInput(
        @NotBlank @Size(max = 200) String name,
        @NotBlank @Email @Size(max = 254) String email,
        @Size(max = 40) @Pattern(regexp = "^[0-9+()\\-. ]*$", message = "digits, spaces and + ( ) - . only")
        String phone) {
}
