package io.parley.search;

import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.conversation.ConversationEvents.GroupCreated;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationEvents.MemberAdded;
import io.parley.api.conversation.ConversationEvents.MemberLeft;
import io.parley.api.conversation.ConversationEvents.MemberRemoved;
import io.parley.api.conversation.ConversationEvents.MessageDeleted;
import io.parley.api.conversation.ConversationEvents.MessageEdited;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.eventhandling.TrackingToken;

import java.time.Instant;

/**
 * Keeps the search index ({@link MessageIndex}) in step with the event stream: message text in, edits re-indexed,
 * deletes out, and who is a member of which conversation. Runs on its own streaming processor,
 * {@value #PROCESSING_GROUP}, with one segment (events in stream order) and its token in the index
 * ({@link IndexTokenStore}). Every write is keyed, so a redelivered or replayed event changes nothing.
 * <p>
 * Text that can no longer be decrypted (its sender's data was erased) arrives as {@code null} and is not indexed.
 */
@ProcessingGroup(SearchProjection.PROCESSING_GROUP)
class SearchProjection {

    static final String PROCESSING_GROUP = "search-projection";

    private final MessageIndex index;

    SearchProjection(MessageIndex index) {
        this.index = index;
    }

    @EventHandler
    void on(DirectConversationOpened e) {
        e.memberIds().forEach(userId -> index.memberJoined(e.conversationId(), userId));
    }

    @EventHandler
    void on(GroupCreated e) {
        if (e.ownerId() != null) {
            index.memberJoined(e.conversationId(), e.ownerId());
        }
        e.members().stream().map(Member::userId).forEach(userId -> index.memberJoined(e.conversationId(), userId));
    }

    @EventHandler
    void on(MemberAdded e) {
        index.memberJoined(e.conversationId(), e.userId());
    }

    @EventHandler
    void on(MemberLeft e) {
        index.memberLeft(e.conversationId(), e.userId());
    }

    @EventHandler
    void on(MemberRemoved e) {
        index.memberLeft(e.conversationId(), e.userId());
    }

    @EventHandler
    void on(MessageSent e, @Timestamp Instant timestamp, TrackingToken token) {
        index.messageSent(e.conversationId(), e.messageId(), e.seq(), e.senderId(), e.text(),
                e.sentAt() != null ? e.sentAt() : timestamp, token.position().orElse(0L));
    }

    @EventHandler
    void on(MessageEdited e, @Timestamp Instant timestamp) {
        index.messageEdited(e.conversationId(), e.seq(), e.text(), e.editedAt() != null ? e.editedAt() : timestamp);
    }

    @EventHandler
    void on(MessageDeleted e) {
        index.messageDeleted(e.conversationId(), e.seq());
    }

    /** A rebuild starts from an empty index. */
    @ResetHandler
    void reset() {
        index.clear();
    }

    /**
     * Takes every event of the stream into the processor's batches (no payload is deserialized for it), so the token
     * stored after a batch is the position of the last event, not of the last event the projection indexes: without
     * it, a run of events the index ignores (receipts) would leave the position behind the head and make a search wait.
     */
    @ProcessingGroup(SearchProjection.PROCESSING_GROUP)
    static class EveryEvent {
        @EventHandler
        void on(EventMessage<?> event) {
            // the position is stored by the processor after the batch
        }
    }
}
