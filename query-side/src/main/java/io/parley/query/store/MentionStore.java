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

    /** The message is deleted: its mentions go. */
    void deleteOfMessage(String conversationId, long seq);

    /** For those of {@code seqs} that mention anyone: seq to the user ids mentioned, in the adapter's order of ids. */
    Map<Long, List<String>> mentionsAmong(String conversationId, Collection<Long> seqs);

    /** {@code userId}'s unread mentions per conversation; conversations without any are left out. */
    Map<String, Long> unreadOf(String userId);

    void clear();
}
