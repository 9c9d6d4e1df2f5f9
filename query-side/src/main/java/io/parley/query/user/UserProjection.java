package io.parley.query.user;

import io.parley.api.user.UserEvents.UserBlocked;
import io.parley.api.user.UserEvents.UserUnblocked;
import io.parley.query.store.BlockStore;

import io.parley.api.user.UserEvents.DisplayNameChanged;
import io.parley.api.user.UserEvents.UserRegistered;
import io.parley.api.user.UserQueries.UserView;
import io.parley.query.store.ReadStores;
import io.parley.query.store.UserStore;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.springframework.stereotype.Component;

import java.time.Instant;

/** Projects user events into the user directory. */
@Component
@ProcessingGroup(UserProjection.PROCESSING_GROUP)
public class UserProjection {

    public static final String PROCESSING_GROUP = "user-projection";

    private final UserStore users;
    private final BlockStore blocks;

    public UserProjection(ReadStores stores) {
        this.users = stores.users();
        this.blocks = stores.blocks();
    }

    @EventHandler
    void on(UserBlocked e, @Timestamp Instant timestamp) {
        blocks.block(e.userId(), e.blockedUserId(), e.blockedAt() != null ? e.blockedAt() : timestamp);
    }

    @EventHandler
    void on(UserUnblocked e) {
        blocks.unblock(e.userId(), e.blockedUserId());
    }

    @EventHandler
    void on(UserRegistered e, @Timestamp Instant timestamp) {
        users.register(new UserView(e.userId(), e.username(), e.displayName(),
                e.registeredAt() != null ? e.registeredAt() : timestamp));
    }

    @EventHandler
    void on(DisplayNameChanged e) {
        users.changeDisplayName(e.userId(), e.displayName());
    }

    /** A replay starts from an empty directory. */
    @ResetHandler
    void reset() {
        users.clear();
        blocks.clear();
    }
}
