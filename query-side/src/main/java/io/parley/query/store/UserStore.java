package io.parley.query.store;

import io.parley.api.user.UserQueries.UserView;

import java.util.List;
import java.util.Optional;

/** The user directory. */
public interface UserStore {

    /** Stores the user unless one with its id exists. */
    void register(UserView user);

    void changeDisplayName(String userId, String displayName);

    Optional<UserView> find(String userId);

    /**
     * Users whose username starts with {@code prefix} (taken literally: no wildcard or pattern character has a meaning),
     * ordered by username, at most {@code limit} of them after skipping {@code offset}.
     */
    List<UserView> findByUsernamePrefix(String prefix, int limit, int offset);

    void clear();
}
