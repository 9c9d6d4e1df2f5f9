package io.parley.api.user;

import java.time.Instant;

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
}
