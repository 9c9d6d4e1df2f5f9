package io.parley.query.store;

import io.parley.api.conversation.ConversationQueries.MessageView;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** Messages of conversations, unique by (conversationId, seq). */
public interface TimelineStore {

    /** Stores the message unless one with its (conversationId, seq) exists. */
    void append(MessageView message);

    /**
     * Stores each message, in the order given, as {@link #append} would (a message already stored, or given twice,
     * is stored once). Adapters write them together: one JDBC batch, one MongoDB bulk write.
     */
    default void appendAll(List<MessageView> messages) {
        messages.forEach(this::append);
    }

    /** Replaces text and editedAt of the message, unless it is deleted or unknown. */
    void edit(String conversationId, long seq, String text, Instant editedAt);

    /** Turns the message into a tombstone: deleted, text and attachments removed. */
    void delete(String conversationId, long seq);

    /**
     * Messages with {@code afterSeq < seq < beforeSeq}: the {@code limit} highest seqs when {@code newest}, else the
     * {@code limit} lowest; always returned in ascending seq.
     */
    List<MessageView> range(String conversationId, long afterSeq, long beforeSeq, int limit, boolean newest);

    /** The messages with these keys that exist, in no particular order. */
    List<MessageView> findAll(Collection<MessageKey> keys);

    /**
     * The unread count of {@code userId} with its read cursor at {@code readSeq}: the messages above it sent by someone
     * else and not deleted.
     */
    long countUnread(String conversationId, String userId, long readSeq);

    void clear();
}
