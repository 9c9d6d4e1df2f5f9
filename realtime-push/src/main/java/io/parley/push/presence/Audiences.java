package io.parley.push.presence;

import io.parley.push.block.BlockList;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.api.conversation.ConversationQueries.ConversationSummary;
import io.parley.api.conversation.ConversationQueries.ConversationsOfUserQuery;
import io.parley.api.error.ForbiddenException;
import io.parley.push.Backend;
import io.parley.push.membership.Membership;
import io.parley.push.membership.MembershipCache;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who hears of presence and typing, the same for every {@link PresenceService}: presence goes to everyone who shares
 * a conversation with the user; typing to the other members only, at most once per user and conversation per
 * {@link #TYPING_THROTTLE}. Those the user has blocked hear of neither ({@link BlockList}), and are not told why.
 */
@Component
class Audiences {

    static final Duration TYPING_THROTTLE = Duration.ofSeconds(2);

    private final Cache<String, Boolean> recentlyTyped = Caffeine.newBuilder()
            .expireAfterWrite(TYPING_THROTTLE).maximumSize(1_000_000).build();
    private final Backend backend;
    private final MembershipCache memberships;

    private final BlockList blocks;

    Audiences(Backend backend, MembershipCache memberships, BlockList blocks) {
        this.blocks = blocks;
        this.backend = backend;
        this.memberships = memberships;
    }

    /**
     * The members to tell that {@code userId} is typing, leaving out whoever blocked them or was blocked by them;
     * empty while throttled.
     *
     * @throws ForbiddenException when the user is not a member
     */
    List<String> typingRecipients(String userId, String conversationId) {
        Membership membership = memberships.get(conversationId)
                .filter(m -> m.isMember(userId))
                .orElseThrow(() -> new ForbiddenException("not a member of this conversation"));
        if (recentlyTyped.asMap().putIfAbsent(userId + '\u0000' + conversationId, Boolean.TRUE) != null) {
            return List.of();
        }
        return membership.roles().keySet().stream().filter(member -> !member.equals(userId))
                .filter(member -> !blocks.hasBlocked(userId, member) && !blocks.hasBlocked(member, userId)).toList();
    }

    /**
     * Everyone who shares a conversation with the user: the read model's list plus the conversations this node has
     * seen the user join a moment ago (the read model may lag the stream). Answered on a worker thread.
     */
    Mono<Set<String>> contactsOf(String userId) {
        return backend.query(new ConversationsOfUserQuery(userId),
                        ResponseTypes.multipleInstancesOf(ConversationSummary.class))
                .publishOn(backend.workers())
                .map(conversations -> {
                    Set<String> conversationIds = new HashSet<>(memberships.knownConversationsOf(userId));
                    conversations.forEach(c -> conversationIds.add(c.conversationId()));
                    Set<String> contacts = new HashSet<>();
                    conversationIds.forEach(id -> memberships.get(id)
                            .ifPresent(m -> contacts.addAll(m.roles().keySet())));
                    contacts.remove(userId);
                    contacts.removeIf(contact -> blocks.hasBlocked(userId, contact));
                    return contacts;
                });
    }
}
