package io.tenantgate.control.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Who is a platform operator. Tenant users and operators usually come from the same identity
 * provider, where a tenant's own administrators may be able to set group names; so a group name
 * alone never makes an operator ({@link OperatorIdentity}).
 */
@ConfigMapping(prefix = "tenantgate.security")
public interface SecurityConfig {

    /** The group an operator's token carries in {@code groups}. */
    @WithDefault("operator")
    String operatorGroup();

    /**
     * The audience an operator's token must carry (one of {@code mp.jwt.verify.audiences}): the
     * identity provider issues it only to the operators' client. Tenant tokens carry
     * {@code tenantgate}.
     */
    @WithDefault("tenantgate-admin")
    String operatorAudience();
}
