package io.parley.query.store;

import io.parley.api.conversation.ConversationQueries.MessageReactions;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reactions present on messages, and per message the conversation's reaction change ({@code reactionVersion}) that
 * last touched it. Idempotent: adding a present reaction or removing an absent one changes nothing but the version,
 * which only moves forward.
 */
public interface ReactionStore {

    void add(String conversationId, long seq, String messageId, String userId, String emoji, long version);

    void remove(String conversationId, long seq, String messageId, String userId, String emoji, long version);

    /** The message is deleted: its reactions go (its change row stays, so a sync still tells it changed). */
    void deleteOfMessage(String conversationId, long seq);

    /** The current reactions of those of {@code seqs} whose reactions ever changed. */
    Map<Long, MessageReactions> ofMessages(String conversationId, Collection<Long> seqs);

    /** The messages whose reactions changed after {@code afterVersion}, oldest change first, at most {@code limit}. */
    List<MessageReactions> changedSince(String conversationId, long afterVersion, int limit);

    /** The latest reaction change of each of these conversations that has one. */
    Map<String, Long> latestVersions(Collection<String> conversationIds);

    void clear();
}
