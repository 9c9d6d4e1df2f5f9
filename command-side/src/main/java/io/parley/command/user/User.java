package io.parley.command.user;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.parley.api.error.ConflictException;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.user.UserCommands.ChangeDisplayName;
import io.parley.api.user.UserCommands.RegisterUser;
import io.parley.api.user.UserEvents.DisplayNameChanged;
import io.parley.api.user.UserEvents.UserRegistered;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

import io.parley.api.user.UserCommands.BlockUser;
import io.parley.api.user.UserCommands.UnblockUser;
import io.parley.api.user.UserEvents.UserBlocked;
import io.parley.api.user.UserEvents.UserUnblocked;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * A user's public profile: username and display name. Never a credential.
 * <p>
 * <b>Username uniqueness is not this aggregate's job.</b> An aggregate sees only its own user, so it cannot know
 * whether another user holds the same name; the edge's credential store, which owns the username-to-user mapping
 * with a unique key, enforces it before a {@link RegisterUser} is sent. Here the username is only validated and
 * normalised to lower case.
 * <p>
 * Registering the same user id again with the same (normalised) data is a retry and emits nothing; with different
 * data it is a {@link ConflictException}.
 */
@Aggregate
class User {

    private static final Pattern USERNAME = Pattern.compile("[a-z0-9_.-]{3,32}");
    static final int MAX_DISPLAY_NAME_LENGTH = 64;

    @AggregateIdentifier
    @JsonProperty
    private String userId;
    @JsonProperty
    private String username;
    @JsonProperty
    private String displayName;
    @JsonProperty
    private Set<String> blocked = new LinkedHashSet<>();

    /** The most users one user may block: keeps the aggregate (and each check of the list) small. */
    static final int MAX_BLOCKED = 1000;

    User() {
        // for Axon and Spring, which instantiate it reflectively
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    void handle(RegisterUser command) {
        String name = validUsername(command.username());
        String display = validDisplayName(command.displayName());
        if (isRegistered()) {
            if (name.equals(username) && display.equals(displayName)) {
                return;
            }
            throw new ConflictException("user " + command.userId() + " is already registered with other details");
        }
        apply(new UserRegistered(command.userId(), name, display, GenericEventMessage.clock.instant()));
    }

    @CommandHandler
    void handle(ChangeDisplayName command) {
        String display = validDisplayName(command.displayName());
        if (display.equals(displayName)) {
            return;
        }
        apply(new DisplayNameChanged(userId, display, GenericEventMessage.clock.instant()));
    }

    /** Blocks a user: not oneself, at most {@link #MAX_BLOCKED}; blocking again is a repeat. */
    @CommandHandler
    void handle(BlockUser command) {
        String other = command.blockedUserId();
        if (other == null || other.isBlank()) {
            throw new InvalidCommandException("blockedUserId is required");
        }
        if (other.equals(userId)) {
            throw new InvalidCommandException("you cannot block yourself");
        }
        if (hasBlocked(other)) {
            return;
        }
        if (blocked.size() >= MAX_BLOCKED) {
            throw new InvalidCommandException("you may block at most " + MAX_BLOCKED + " users");
        }
        apply(new UserBlocked(userId, other, now()));
    }

    /** Lifts a block; lifting one that is not there is a repeat. */
    @CommandHandler
    void handle(UnblockUser command) {
        if (!hasBlocked(command.blockedUserId())) {
            return;
        }
        apply(new UserUnblocked(userId, command.blockedUserId(), now()));
    }

    private boolean hasBlocked(String otherUserId) {
        return otherUserId != null && blocked.contains(otherUserId);
    }

    private static java.time.Instant now() {
        return GenericEventMessage.clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    private boolean isRegistered() {
        return userId != null;
    }

    /** 3 to 32 of a–z, 0–9, '_', '.', '-', compared and stored in lower case. */
    private static String validUsername(String username) {
        String normalised = username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
        if (!USERNAME.matcher(normalised).matches()) {
            throw new InvalidCommandException(
                    "a username has 3 to 32 characters, each a letter, a digit, '_', '.' or '-'");
        }
        return normalised;
    }

    /** 1 to 64 characters, not only spaces; surrounding spaces are dropped. */
    private static String validDisplayName(String displayName) {
        if (displayName == null || displayName.isBlank()) {
            throw new InvalidCommandException("a display name needs at least one visible character");
        }
        String stripped = displayName.strip();
        if (stripped.codePointCount(0, stripped.length()) > MAX_DISPLAY_NAME_LENGTH) {
            throw new InvalidCommandException(
                    "a display name may have at most " + MAX_DISPLAY_NAME_LENGTH + " characters");
        }
        return stripped;
    }

    @EventSourcingHandler
    void on(UserRegistered event) {
        userId = event.userId();
        username = event.username();
        displayName = event.displayName();
    }

    @EventSourcingHandler
    void on(DisplayNameChanged event) {
        displayName = event.displayName();
    }

    @EventSourcingHandler
    void on(UserBlocked event) {
        blocked.add(event.blockedUserId());
    }

    @EventSourcingHandler
    void on(UserUnblocked event) {
        blocked.remove(event.blockedUserId());
    }
}
