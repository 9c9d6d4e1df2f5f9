package io.parley.push.membership;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationQueries.ConversationMembers;
import io.parley.api.conversation.ConversationQueries.ConversationMembersQuery;
import io.parley.api.conversation.ConversationType;
import io.parley.api.conversation.MemberRole;
import io.parley.api.query.ReadConsistency;
import io.parley.push.Backend;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.springframework.stereotype.Component;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

/**
 * Membership of conversations, fed by the live event stream and, for conversations this node has not seen change,
 * by the query side. The stream is fresher than the read model, so an entry is only replaced by a newer version.
 */
@Component
public class MembershipCache {

    private final Cache<String, Membership> cache = Caffeine.newBuilder().maximumSize(200_000).build();
    /**
     * Conversations each user belongs to, as far as this node has seen them: the read model can lag the stream by a
     * moment, and a conversation opened a moment ago must already count (e.g. for presence).
     */
    private final Map<String, Set<String>> byUser = new ConcurrentHashMap<>();
    private final Backend backend;

    MembershipCache(Backend backend) {
        this.backend = backend;
    }

    /** The membership of a conversation, loading it from the query side on a miss (blocking). */
    public Optional<Membership> get(String conversationId) {
        Membership known = cache.getIfPresent(conversationId);
        if (known != null) {
            return Optional.of(known);
        }
        return load(conversationId, OptionalLong.empty());
    }

    /** The membership of a conversation if this node holds it, without loading: never blocks. */
    public Optional<Membership> getIfCached(String conversationId) {
        return Optional.ofNullable(cache.getIfPresent(conversationId));
    }

    /** Keeps the membership unless a newer version is held; returns the one held now. */
    public Membership offer(Membership membership) {
        Membership kept = cache.asMap().merge(membership.conversationId(), membership,
                (old, fresh) -> fresh.version() > old.version() ? fresh : old);
        index(kept);
        return kept;
    }

    /** The conversations this node has seen the user belong to (a hint; the read model has the full list). */
    public Set<String> knownConversationsOf(String userId) {
        Set<String> known = byUser.get(userId);
        return known == null ? Set.of() : Set.copyOf(known);
    }

    private void index(Membership membership) {
        membership.roles().keySet().forEach(user ->
                byUser.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).add(membership.conversationId()));
    }

    private void unindex(String conversationId, Set<String> formerMembers) {
        formerMembers.forEach(user -> byUser.computeIfPresent(user, (u, set) -> {
            set.remove(conversationId);
            return set.isEmpty() ? null : set;
        }));
    }

    /** Applies a membership event of aggregate sequence {@code version} to a cached entry (loading it first). */
    public void apply(String conversationId, long version, UnaryOperator<Map<String, MemberRole>> change) {
        if (getIfCached(conversationId).isEmpty()) {
            load(conversationId, OptionalLong.empty());
        }
        Membership[] before = new Membership[1];
        Membership after = cache.asMap().computeIfPresent(conversationId, (id, old) -> {
            before[0] = old;
            if (version <= old.version()) {
                return old;
            }
            Map<String, MemberRole> roles = change.apply(new LinkedHashMap<>(old.roles()));
            return new Membership(id, old.type(), Map.copyOf(roles), version);
        });
        if (after != null) {
            Set<String> gone = new HashSet<>(before[0].roles().keySet());
            gone.removeAll(after.roles().keySet());
            unindex(conversationId, gone);
            index(after);
        }
    }

    /**
     * Loads the membership of a conversation from the query side as of an event's {@code position} in the event store
     * (the read model holds every event up to it; {@link ReadConsistency#POSITION_KEY}), or, without a position, as of
     * every event committed before the call; keeps it unless a newer version is held. Blocking.
     *
     * @return the membership now held, empty for a conversation the read model does not know
     * @throws java.util.concurrent.CompletionException wrapping {@link io.parley.api.error.UnavailableException} when
     *                                                  the read model has not caught up in time
     */
    public Optional<Membership> load(String conversationId, OptionalLong position) {
        ConversationMembersQuery query = new ConversationMembersQuery(conversationId);
        var answer = ResponseTypes.optionalInstanceOf(ConversationMembers.class);
        Optional<ConversationMembers> view = position.isPresent()
                ? backend.queryAt(query, position.getAsLong(), answer)
                : backend.queryNow(query, answer);
        // the one kept, not a second look into the cache: a full cache may evict a new entry at once
        return view.map(v -> offer(of(v.conversationId(), v.type(), v.members(), v.version())));
    }

    public static Membership of(String conversationId, ConversationType type, List<Member> members, long version) {
        Map<String, MemberRole> roles = new LinkedHashMap<>();
        members.forEach(m -> roles.put(m.userId(), m.role()));
        return new Membership(conversationId, type, Map.copyOf(roles), version);
    }
}
