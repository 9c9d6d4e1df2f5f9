package io.parley.api.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parley.api.conversation.ConversationCommands.SendResult;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.api.media.Attachment;
import io.parley.api.conversation.ConversationQueries.Quote;
import io.parley.api.conversation.ConversationQueries.Reaction;

import java.time.Instant;
import java.util.List;

/**
 * Frames the server sends on {@code /ws} (PROTOCOL.md). Every frame is a JSON object whose first field is
 * {@code type}. Names are part of the client contract: add, never rename.
 */
public final class ServerFrames {

    private ServerFrames() {
    }

    /** The message is committed: the single tick. {@code id} echoes the client's {@code send} id. */
    @JsonPropertyOrder({"type", "id"})
    public record Ack(String type, String id, String conversationId, String messageId, long seq, Instant sentAt) {
        public static Ack of(String clientMsgId, SendResult result) {
            return new Ack("ack", clientMsgId, result.conversationId(), result.messageId(), result.seq(),
                    result.sentAt());
        }
    }

    /**
     * A message of one of the recipient's conversations. Parley additions at the end: {@code replyTo} and
     * {@code quote} (a reply), {@code mentions} (user ids), {@code reactions} (per emoji: count and who) and
     * {@code reactionVersion}; {@code fromBlocked} is true when the recipient has blocked the sender (its client
     * hides the message).
     */
    @JsonPropertyOrder({"type"})
    public record Message(String type, String conversationId, String messageId, long seq, String senderId,
                          String text, Instant sentAt, Instant editedAt, boolean deleted, List<Attachment> attachments,
                          Long replyTo, Quote quote, List<String> mentions, List<Reaction> reactions,
                          long reactionVersion, boolean fromBlocked) {

        @JsonCreator
        public Message {
        }

        public Message(String type, String conversationId, String messageId, long seq, String senderId,
                       String text, Instant sentAt, Instant editedAt, boolean deleted, List<Attachment> attachments) {
            this(type, conversationId, messageId, seq, senderId, text, sentAt, editedAt, deleted, attachments, null,
                    null, List.of(), List.of(), 0, false);
        }

        public static Message of(MessageView view) {
            return of("message", view);
        }

        static Message of(String type, MessageView view) {
            return new Message(type, view.conversationId(), view.messageId(), view.seq(), view.senderId(),
                    view.text(), view.sentAt(), view.editedAt(), view.deleted(),
                    view.attachments() == null ? List.of() : view.attachments(), view.replyTo(), view.quote(),
                    view.mentions() == null ? List.of() : view.mentions(),
                    view.reactions() == null ? List.of() : view.reactions(), view.reactionVersion(), false);
        }

        /** The same message marked for a recipient who blocked its sender. */
        public Message markedFromBlocked() {
            return new Message(type, conversationId, messageId, seq, senderId, text, sentAt, editedAt, deleted,
                    attachments, replyTo, quote, mentions, reactions, reactionVersion, true);
        }
    }

    /**
     * The reactions of a message changed (Parley addition): {@code userId} added or removed ({@code added})
     * {@code emoji}; {@code reactions} holds the message's reactions after the change, so a client that missed one
     * needs only the latest frame. Sent live, and by {@code sync} for changes missed (then {@code userId} and
     * {@code emoji} are null). {@code reactionVersion} is the conversation's change counter.
     */
    @JsonPropertyOrder({"type"})
    public record ReactionFrame(String type, String conversationId, String messageId, long seq, String userId,
                                String emoji, Boolean added, List<Reaction> reactions, long reactionVersion) {
        public static ReactionFrame of(String conversationId, String messageId, long seq, String userId,
                                       String emoji, Boolean added, List<Reaction> reactions, long reactionVersion) {
            return new ReactionFrame("reaction", conversationId, messageId, seq, userId, emoji, added, reactions,
                    reactionVersion);
        }
    }

    /**
     * A message already delivered has changed: edited (new {@code text}, {@code editedAt}) or deleted
     * ({@code deleted: true}, {@code text: null}). Same fields as {@link Message}; added to the contract by Parley.
     */
    public static Message messageUpdated(MessageView view) {
        return Message.of("message_updated", view);
    }

    /** Another member's delivered or read cursor moved: the double and blue ticks. */
    @JsonPropertyOrder({"type"})
    public record Receipt(String type, String conversationId, String userId, String kind, long upToSeq) {
        public static Receipt delivered(String conversationId, String userId, long upToSeq) {
            return new Receipt("receipt", conversationId, userId, "delivered", upToSeq);
        }

        public static Receipt read(String conversationId, String userId, long upToSeq) {
            return new Receipt("receipt", conversationId, userId, "read", upToSeq);
        }
    }

    @JsonPropertyOrder({"type"})
    public record Presence(String type, String userId, boolean online, Instant lastSeen) {
        public static Presence of(String userId, boolean online, Instant lastSeen) {
            return new Presence("presence", userId, online, lastSeen);
        }
    }

    /**
     * Several users' presence at once, for one recipient: the changes of one short window (see the edge's
     * {@code parley.presence-batch-window}), the latest per user, in the order they first changed. Sent instead of a
     * run of {@link Presence} frames when more than one change is pending; a single change still goes out as
     * {@link Presence}. Added to the contract (issue 19): a group of 1,000 coming online sent ~500,000 single frames.
     */
    @JsonPropertyOrder({"type"})
    public record PresenceBatch(String type, List<PresenceEntry> users) {
        public static PresenceBatch of(List<PresenceEntry> users) {
            return new PresenceBatch("presence_batch", List.copyOf(users));
        }
    }

    /** One user's presence inside a {@link PresenceBatch}: the fields of a {@link Presence} frame but its type. */
    @JsonPropertyOrder({"userId"})
    public record PresenceEntry(String userId, boolean online, Instant lastSeen) {
        public static PresenceEntry of(Presence presence) {
            return new PresenceEntry(presence.userId(), presence.online(), presence.lastSeen());
        }
    }

    @JsonPropertyOrder({"type"})
    public record Typing(String type, String conversationId, String userId) {
        public static Typing of(String conversationId, String userId) {
            return new Typing("typing", conversationId, userId);
        }
    }

    /** {@code change} is one of joined, left, removed (and role_changed, added by Parley, with {@code role}). */
    @JsonPropertyOrder({"type"})
    public record Member(String type, String conversationId, String userId, String change, String role) {
        public static Member of(String conversationId, String userId, String change, String role) {
            return new Member("member", conversationId, userId, change, role);
        }
    }

    @JsonPropertyOrder({"type", "id"})
    public record Error(String type, String id, String code, String message,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Long retryAfter) {
        public static Error of(String id, String code, String message) {
            return new Error("error", id, code, message, null);
        }

        /**
         * An error the client may retry: {@code retryAfter} is the least number of seconds to wait (Parley addition,
         * sent with {@code UNAVAILABLE} and {@code RATE_LIMITED}; absent otherwise).
         */
        public static Error retryable(String id, String code, String message, Long retryAfter) {
            return new Error("error", id, code, message, retryAfter);
        }
    }

    @JsonPropertyOrder({"type", "id"})
    public record Synced(String type, String id) {
        public static Synced of(String id) {
            return new Synced("synced", id);
        }
    }

    /** Confirms a {@code delivered}, {@code read}, {@code edit} or {@code delete} frame that carried an id (Parley addition). */
    @JsonPropertyOrder({"type", "id"})
    public record Ok(String type, String id) {
        public static Ok of(String id) {
            return new Ok("ok", id);
        }
    }

    @JsonPropertyOrder({"type", "id"})
    public record Pong(String type, String id) {
        public static Pong of(String id) {
            return new Pong("pong", id);
        }
    }
}
