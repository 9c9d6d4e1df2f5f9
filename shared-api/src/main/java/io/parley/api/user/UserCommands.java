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
}
