package io.parley.api.user;

import org.axonframework.serialization.Revision;

import java.time.Instant;

/** Events of the {@code User} aggregate: the public profile only, never a credential. */
public final class UserEvents {

    private UserEvents() {
    }

    @Revision("1")
    public record UserRegistered(String userId, String username, String displayName, Instant registeredAt) {
    }

    @Revision("1")
    public record DisplayNameChanged(String userId, String displayName, Instant changedAt) {
    }

    /** {@code userId} blocked {@code blockedUserId} (see {@code UserCommands.BlockUser}). Never shown to the blocked user. */
    @Revision("1")
    public record UserBlocked(String userId, String blockedUserId, Instant blockedAt) {
    }

    /** {@code userId} lifted its block of {@code blockedUserId}. */
    @Revision("1")
    public record UserUnblocked(String userId, String blockedUserId, Instant unblockedAt) {
    }
}
