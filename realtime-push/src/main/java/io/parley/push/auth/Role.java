package io.parley.push.auth;

/**
 * What a user may do beyond chatting. Every user is a {@link #USER}; the others are granted by configuration
 * ({@code parley.roles.*}) and travel in the token's {@code roles} claim.
 */
public enum Role {
    USER, AUDITOR, ANALYST, ADMIN
}
