package io.parley.query.user;

import io.parley.api.user.UserQueries.FindUserQuery;
import io.parley.api.user.UserQueries.UserView;
import io.parley.query.store.ReadStores;
import io.parley.query.store.UserStore;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

/** Answers user queries from the directory. */
@Component
public class UserQueryHandlers {

    private final UserStore users;

    public UserQueryHandlers(ReadStores stores) {
        this.users = stores.users();
    }

    /**
     * The user's directory entry ({@code lastSeen} is the edge's business).
     *
     * <p>Callers: {@code queryGateway.query(q, ResponseTypes.instanceOf(UserView.class))}; the result is null for an
     * unknown user (Axon completes the future with null).
     */
    @QueryHandler
    public UserView handle(FindUserQuery query) {
        return users.find(query.userId()).orElse(null);
    }
}
