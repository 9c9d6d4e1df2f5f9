package io.parley.api.conversation;

import io.parley.api.media.Attachment;
import com.fasterxml.jackson.annotation.JsonCreator;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

import java.util.List;

/**
 * Commands to the {@code Conversation} aggregate. Every command names the acting user; the
 * aggregate decides whether that user may do it.
 */
public final class ConversationCommands {

    /**
     * The longest {@code clientMsgId} (a socket frame's {@code id}) in characters. Clients use UUIDs (36 characters);
     * the bound keeps the aggregate's idempotency window small. The aggregate and both doors of the edge read it here.
     */
    public static final int MAX_CLIENT_MSG_ID_LENGTH = 128;

    private ConversationCommands() {
    }

    /**
     * Opens the direct conversation between {@code requesterId} and {@code otherUserId}. The id must be
     * {@link ConversationIds#direct(String, String)} of the pair; opening an open conversation is a no-op.
     */
    public record OpenDirectConversation(@TargetAggregateIdentifier String conversationId,
                                         String requesterId, String otherUserId) {
    }

    /** Creates a group; the creator becomes its owner and the listed users its members. */
    public record CreateGroup(@TargetAggregateIdentifier String conversationId, String creatorId,
                              String name, List<String> memberIds) {
    }

    /** Adds a user to a group. Only owners and admins may add; adding a member again is a no-op. */
    public record AddMember(@TargetAggregateIdentifier String conversationId, String actorId, String userId) {
    }

    /** Removes a user from a group; when {@code actorId} equals {@code userId} it is leaving. */
    public record RemoveMember(@TargetAggregateIdentifier String conversationId, String actorId, String userId) {
    }

    /**
     * Sends a message. {@code clientMsgId} is the sender's idempotency key: a retry with the same key
     * returns the original {@link SendResult} and produces no second event. {@code attachments} are media the edge
     * has checked (finished uploads of the sender, without links); {@code text} may be null when there are some.
     */
    public record SendMessage(@TargetAggregateIdentifier String conversationId, String senderId,
                              String clientMsgId, String text, List<Attachment> attachments,
                              List<String> mentions, Long replyTo) {
        /** The most attachments one message may carry, whatever the edge's configuration says. */
        public static final int MAX_ATTACHMENTS = 32;

        @JsonCreator
        public SendMessage {
            attachments = attachments == null ? List.of() : List.copyOf(attachments);
        }

        /** A text message without attachments that mentions no one and replies to nothing. */
        public SendMessage(String conversationId, String senderId, String clientMsgId, String text) {
            this(conversationId, senderId, clientMsgId, text, List.of(), null, null);
        }
    }

    /**
     * Adds {@code userId}'s {@code emoji} reaction to message {@code seq}; a reaction already there is a repeat and
     * emits nothing. The emoji must be a single emoji grapheme cluster ({@link Emoji#isSingleEmoji(String)}).
     */
    public record AddReaction(@TargetAggregateIdentifier String conversationId, String userId, long seq,
                              String emoji) {
    }

    /** Removes {@code userId}'s {@code emoji} reaction from message {@code seq}; removing none is a repeat. */
    public record RemoveReaction(@TargetAggregateIdentifier String conversationId, String userId, long seq,
                                 String emoji) {
    }

    /** Moves the member's delivered cursor forward to {@code upToSeq}; a lower value is ignored. */
    public record MarkDelivered(@TargetAggregateIdentifier String conversationId, String userId, long upToSeq) {
    }

    /** Moves the member's read cursor (and delivered cursor) forward to {@code upToSeq}. */
    public record MarkRead(@TargetAggregateIdentifier String conversationId, String userId, long upToSeq) {
    }

    /** Replaces the text of a message; only its sender may. */
    public record EditMessage(@TargetAggregateIdentifier String conversationId, String actorId, long seq,
                              String text) {
    }

    /** Deletes a message; its sender may, and in groups so may owners and admins. */
    public record DeleteMessage(@TargetAggregateIdentifier String conversationId, String actorId, long seq) {
    }

    /** What a (possibly retried) send returns: the single tick. */
    public record SendResult(String conversationId, String messageId, long seq, java.time.Instant sentAt) {
    }
}
