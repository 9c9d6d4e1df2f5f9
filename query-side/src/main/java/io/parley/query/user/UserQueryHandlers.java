package io.parley.query.user;

import io.parley.api.user.UserQueries.BlockedUser;
import io.parley.api.user.UserQueries.BlockedUsersQuery;
import io.parley.query.store.BlockStore;

import io.parley.api.user.UserQueries.FindUserQuery;
import io.parley.api.user.UserQueries.SearchUsersQuery;
import io.parley.api.user.UserQueries.UserSearchPage;
import io.parley.api.user.UserQueries.UserView;
import io.parley.query.store.ReadStores;
import io.parley.query.store.UserStore;
import io.parley.query.consistency.ConsistencyBarrier;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.interceptors.MessageHandlerInterceptor;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.queryhandling.QueryMessage;
import org.springframework.stereotype.Component;

import java.util.List;

/** Answers user queries from the directory, once it holds every event committed before the query arrived. */
@Component
public class UserQueryHandlers {

    private final UserStore users;
    private final ConsistencyBarrier barrier;
    private final BlockStore blocks;

    public UserQueryHandlers(ReadStores stores, ConsistencyBarrier barrier) {
        this.users = stores.users();
        this.barrier = barrier;
        this.blocks = stores.blocks();
    }

    /** Read-your-writes, as for conversations ({@link ConsistencyBarrier}). */
    @MessageHandlerInterceptor(messageType = QueryMessage.class)
    Object afterCatchingUp(QueryMessage<?, ?> query, InterceptorChain chain) throws Exception {
        barrier.awaitProjection(UserProjection.PROCESSING_GROUP, query);
        return chain.proceed();
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

    /**
     * A page of users whose username starts with the query's prefix, by username. One more than asked for is read, to
     * tell whether another page follows. A blank prefix or a limit below one answers an empty page: listing the whole
     * directory is not a query the edge offers.
     */
    @QueryHandler
    public UserSearchPage handle(SearchUsersQuery query) {
        if (query.prefix() == null || query.prefix().isEmpty() || query.limit() < 1 || query.offset() < 0) {
            return new UserSearchPage(List.of(), false);
        }
        List<UserView> found = users.findByUsernamePrefix(query.prefix(), query.limit() + 1, query.offset());
        boolean hasMore = found.size() > query.limit();
        return new UserSearchPage(hasMore ? List.copyOf(found.subList(0, query.limit())) : List.copyOf(found), hasMore);
    }

    /** The users {@code userId} has blocked, oldest block first. Callers use {@code multipleInstancesOf(BlockedUser.class)}. */
    @QueryHandler
    public List<BlockedUser> handle(BlockedUsersQuery query) {
        return blocks.blockedBy(query.userId());
    }
}
