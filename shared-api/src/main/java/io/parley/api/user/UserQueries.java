package io.parley.api.user;

import java.time.Instant;
import java.util.List;

/** Queries about users, answered by the query side. */
public final class UserQueries {

    private UserQueries() {
    }

    /** Answers {@link UserView}, or null when there is no such user. */
    public record FindUserQuery(String userId) {
    }

    /** The directory entry of a user. {@code lastSeen} is filled in by the edge's presence service. */
    public record UserView(String userId, String username, String displayName, Instant registeredAt) {
    }

    /**
     * Users whose username starts with {@code prefix} (already lower-cased, at least one character), ordered by
     * username, {@code limit} of them from {@code offset}. Answers {@link UserSearchPage}.
     */
    public record SearchUsersQuery(String prefix, int limit, int offset) {
    }

    /** A page of the user directory; {@code hasMore} when more users match after this page. */
    public record UserSearchPage(List<UserView> users, boolean hasMore) {
    }

    /** The users {@code userId} has blocked, oldest block first. Answers a list of {@link BlockedUser}. */
    public record BlockedUsersQuery(String userId) {
    }

    /** One entry of a user's block list. */
    public record BlockedUser(String userId, Instant blockedAt) {
    }
}
