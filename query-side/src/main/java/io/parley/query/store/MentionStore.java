package io.parley.query.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Who each message mentions, and which of those mentions each member has not read yet. */
public interface MentionStore {

    /** Records the mentions of message {@code seq}, unread, unless recorded already. */
    void record(String conversationId, long seq, Collection<String> userIds);

    /** {@code userId}'s mentions in the conversation up to {@code upToSeq} are read (never unread again). */
    void read(String userId, String conversationId, long upToSeq);

    /**
     * Messages of several conversations were sent (conversation id to its messages): each sender has read its mentions
     * in that conversation up to its last message there, as {@link #read} would record it. Adapters write them
     * together (issue 17); this default writes them one by one.
     */
    default void readBySenders(Map<String, List<MessageArrival>> arrivals) {
        arrivals.forEach((conversationId, messages) -> MessageArrival.lastOfEachSender(messages)
                .forEach((sender, seq) -> read(sender, conversationId, seq)));
    }

    /** The message is deleted: its mentions go. */
    void deleteOfMessage(String conversationId, long seq);

    /** For those of {@code seqs} that mention anyone: seq to the user ids mentioned, in the order recorded. */
    Map<Long, List<String>> mentionsAmong(String conversationId, Collection<Long> seqs);

    /** {@code userId}'s unread mentions per conversation; conversations without any are left out. */
    Map<String, Long> unreadOf(String userId);

    void clear();
}
