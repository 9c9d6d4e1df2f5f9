package io.parley.query.store;

import io.parley.api.user.UserQueries.UserView;

import java.util.Optional;

/** The user directory. */
public interface UserStore {

    /** Stores the user unless one with its id exists. */
    void register(UserView user);

    void changeDisplayName(String userId, String displayName);

    Optional<UserView> find(String userId);

    void clear();
}
