package io.parley.query.store;

import io.parley.api.user.UserQueries.BlockedUser;

import java.time.Instant;
import java.util.List;

/** Who each user has blocked. */
public interface BlockStore {

    /** Records the block unless present (the first block's time stays). */
    void block(String userId, String blockedUserId, Instant at);

    void unblock(String userId, String blockedUserId);

    /** The users {@code userId} has blocked, oldest block first. */
    List<BlockedUser> blockedBy(String userId);

    void clear();
}
