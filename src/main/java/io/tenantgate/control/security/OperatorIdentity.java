package io.tenantgate.control.security;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Set;

/**
 * Decides the {@code operator} role, which the admin endpoints require, from more than a group
 * name: a token is an operator's only if it carries the operator group, the operator audience
 * ({@code tenantgate.security.operator-audience}) and no tenant claim. A tenant's token
 * that somehow carries the group (an identity provider that lets a tenant's own administrators set
 * groups) stays a tenant user's token and gets 403 on {@code /admin/*}.
 *
 * <p>The role is removed from every other identity, so a group literally named {@code operator}
 * in a tenant token grants nothing.
 */
@ApplicationScoped
public class OperatorIdentity implements SecurityIdentityAugmentor {

    public static final String ROLE = "operator";

    private final SecurityConfig config;

    public OperatorIdentity(SecurityConfig config) {
        this.config = config;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous()) {
            return Uni.createFrom().item(identity);
        }
        boolean operator = isOperator(identity);
        if (operator == identity.getRoles().contains(ROLE)) {
            return Uni.createFrom().item(identity);
        }
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(identity.getPrincipal())
                .setAnonymous(false)
                .addCredentials(identity.getCredentials())
                .addAttributes(identity.getAttributes())
                .addPermissionChecker(identity::checkPermission);
        for (String role : identity.getRoles()) {
            if (!role.equals(ROLE)) {
                builder.addRole(role);
            }
        }
        if (operator) {
            builder.addRole(ROLE);
        }
        return Uni.createFrom().item(builder.build());
    }

    private boolean isOperator(SecurityIdentity identity) {
        if (!(identity.getPrincipal() instanceof JsonWebToken token)) {
            return false;
        }
        if (!identity.getRoles().contains(config.operatorGroup())) {
            return false; // every tenant user's request: decided without reading claims
        }
        Set<String> audience = token.getAudience();
        return audience != null && audience.contains(config.operatorAudience())
                && !token.containsClaim(config.tenantClaim());
    }
}
