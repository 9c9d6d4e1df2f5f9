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
}
