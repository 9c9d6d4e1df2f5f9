package io.parley.api.user;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Commands to the {@code User} aggregate. Credentials never travel here: they live in their own store. */
public final class UserCommands {

    private UserCommands() {
    }

    public record RegisterUser(@TargetAggregateIdentifier String userId, String username, String displayName) {
    }

    public record ChangeDisplayName(@TargetAggregateIdentifier String userId, String displayName) {
    }

    /**
     * {@code userId} blocks {@code blockedUserId}: the blocked user can no longer open or write in their direct
     * conversation, does not see the blocker's presence or typing, and in groups the blocker's client hides their
     * messages. Blocking someone already blocked is a repeat and emits nothing.
     */
    public record BlockUser(@TargetAggregateIdentifier String userId, String blockedUserId) {
    }

    /** {@code userId} lifts its block of {@code blockedUserId}; unblocking someone not blocked is a repeat. */
    public record UnblockUser(@TargetAggregateIdentifier String userId, String blockedUserId) {
    }
}
