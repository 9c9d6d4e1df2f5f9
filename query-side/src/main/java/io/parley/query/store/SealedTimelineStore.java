package io.parley.query.store;

import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.eventstore.erasure.TextSeal;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * The timeline with each message's text sealed under its sender's erasure key ({@link TextSeal}): the store (SQL
 * table or MongoDB collection) holds ciphertext only, so erasing the sender's keys leaves nothing readable in any of
 * its files, old pages and write-ahead logs included. Readers get plain text, or {@code null} once the sender is
 * erased. One decorator for both adapters; the context binds each sealed text to its (conversation, seq).
 */
final class SealedTimelineStore implements TimelineStore {

    private final TimelineStore delegate;
    private final TextSeal seal;

    SealedTimelineStore(TimelineStore delegate, TextSeal seal) {
        this.delegate = delegate;
        this.seal = seal;
    }

    static String context(String conversationId, long seq) {
        return "timeline:" + conversationId + "/" + seq;
    }

    @Override
    public void append(MessageView m) {
        delegate.append(sealed(m));
    }

    @Override
    public void appendAll(List<MessageView> messages) {
        delegate.appendAll(messages.stream().map(this::sealed).toList());
    }

    private MessageView sealed(MessageView m) {
        return withText(m, seal.seal(m.senderId(), context(m.conversationId(), m.seq()), m.text()));
    }

    /** Only a message's sender may edit it: the text is sealed with the key of the stored message's sender. */
    @Override
    public void edit(String conversationId, long seq, String text, Instant editedAt) {
        List<MessageView> found = delegate.findAll(List.of(new MessageKey(conversationId, seq)));
        if (found.isEmpty()) {
            return; // unknown: the delegate would change nothing either
        }
        delegate.edit(conversationId, seq, seal.seal(found.get(0).senderId(), context(conversationId, seq), text),
                editedAt);
    }

    @Override
    public void delete(String conversationId, long seq) {
        delegate.delete(conversationId, seq);
    }

    @Override
    public List<MessageView> range(String conversationId, long afterSeq, long beforeSeq, int limit, boolean newest) {
        return opened(delegate.range(conversationId, afterSeq, beforeSeq, limit, newest));
    }

    @Override
    public List<MessageView> findAll(Collection<MessageKey> keys) {
        return opened(delegate.findAll(keys));
    }

    @Override
    public long countUnread(String conversationId, String userId, long readSeq) {
        return delegate.countUnread(conversationId, userId, readSeq);
    }

    @Override
    public void clear() {
        delegate.clear();
    }

    private List<MessageView> opened(List<MessageView> stored) {
        return stored.stream()
                .map(m -> withText(m, seal.open(context(m.conversationId(), m.seq()), m.text())))
                .toList();
    }

    private static MessageView withText(MessageView m, String text) {
        return new MessageView(m.conversationId(), m.messageId(), m.seq(), m.senderId(), text, m.sentAt(),
                m.editedAt(), m.deleted(), m.attachments(), m.replyTo(), m.quote(), m.mentions(), m.reactions(),
                m.reactionVersion());
    }
}
