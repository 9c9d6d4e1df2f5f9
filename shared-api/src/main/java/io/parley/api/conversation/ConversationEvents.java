package io.parley.api.conversation;

import io.parley.api.media.Attachment;
import com.fasterxml.jackson.annotation.JsonCreator;
import org.axonframework.serialization.Revision;

import java.time.Instant;
import java.util.List;

/**
 * Events of the {@code Conversation} aggregate. An event store is forever: never change a field's
 * meaning; add fields with a new {@link Revision} and an upcaster.
 */
public final class ConversationEvents {

    private ConversationEvents() {
    }

    /** What every event of a conversation carries: the conversation's id (its aggregate identifier). */
    public interface ConversationEvent {
        String conversationId();
    }

    /** A member and its role, as carried in events and views. */
    public record Member(String userId, MemberRole role) {
    }

    @Revision("1")
    public record DirectConversationOpened(String conversationId, List<String> memberIds, String openedBy,
                                           Instant openedAt) implements ConversationEvent {
    }

    @Revision("1")
    public record GroupCreated(String conversationId, String name, String ownerId, List<Member> members,
                               Instant createdAt) implements ConversationEvent {
    }

    @Revision("1")
    public record MemberAdded(String conversationId, String userId, MemberRole role, String addedBy,
                              Instant addedAt) implements ConversationEvent {
    }

    /** A member left of its own accord. */
    @Revision("1")
    public record MemberLeft(String conversationId, String userId, Instant leftAt) implements ConversationEvent {
    }

    /** A member was removed by an owner or admin. */
    @Revision("1")
    public record MemberRemoved(String conversationId, String userId, String removedBy, Instant removedAt)
            implements ConversationEvent {
    }

    /** A member's role changed, e.g. ownership handed on when the last owner left. */
    @Revision("1")
    public record MemberRoleChanged(String conversationId, String userId, MemberRole role, Instant changedAt)
            implements ConversationEvent {
    }

    /**
     * A message took {@code seq}. Revision 2: {@code attachments} are {@link Attachment} objects (what the server
     * found in the stored media, without links); revision 1 had a list of strings that was always empty, turned into
     * objects by the upcaster {@code MessageSentAttachmentsUpcaster} (axon-config). {@code mentions}: the ids of the
     * members it mentions (given explicitly by the client, kept only while they are members, the sender left out);
     * {@code replyTo}: the seq of the message it answers in the same conversation. An event written before those two
     * reads them as null, which means none ({@link #mentionsOrNone()}).
     */
    @Revision("2")
    public record MessageSent(String conversationId, String messageId, long seq, String senderId,
                              String clientMsgId, String text, List<Attachment> attachments, Instant sentAt,
                              List<String> mentions, Long replyTo) implements ConversationEvent {

        /** The constructor Jackson reads events with (a record with two constructors needs it named). */
        @JsonCreator
        public MessageSent {
        }

        /** A message that mentions no one and replies to nothing. */
        public MessageSent(String conversationId, String messageId, long seq, String senderId, String clientMsgId,
                           String text, List<Attachment> attachments, Instant sentAt) {
            this(conversationId, messageId, seq, senderId, clientMsgId, text, attachments, sentAt, null, null);
        }

        /** The same event with another text (the event store's encryption); every other field kept. */
        public MessageSent withText(String newText) {
            return new MessageSent(conversationId, messageId, seq, senderId, clientMsgId, newText, attachments, sentAt,
                    mentions, replyTo);
        }

        /** The mentioned user ids, empty when none (also for events written before mentions existed). */
        public List<String> mentionsOrNone() {
            return mentions == null ? List.of() : mentions;
        }
    }

    @Revision("1")
    public record MessagesDelivered(String conversationId, String userId, long upToSeq, Instant deliveredAt)
            implements ConversationEvent {
    }

    @Revision("1")
    public record MessagesRead(String conversationId, String userId, long upToSeq, Instant readAt)
            implements ConversationEvent {
    }

    @Revision("1")
    public record MessageEdited(String conversationId, String messageId, long seq, String editorId, String text,
                                Instant editedAt) implements ConversationEvent {
    }

    @Revision("1")
    public record MessageDeleted(String conversationId, String messageId, long seq, String deletedBy,
                                 Instant deletedAt) implements ConversationEvent {
    }

    /**
     * {@code userId} reacted to message {@code seq} with {@code emoji} (one grapheme cluster). Reactions take no
     * seq: they do not move the timeline. {@code reactionVersion} counts the conversation's reaction changes (1, 2,
     * 3, …), so a client that was away can ask for the messages whose reactions changed after the last one it saw.
     */
    @Revision("1")
    public record ReactionAdded(String conversationId, String messageId, long seq, String userId, String emoji,
                                long reactionVersion, Instant addedAt) implements ConversationEvent {
    }

    /** {@code userId} took back its {@code emoji} reaction to message {@code seq}; see {@link ReactionAdded}. */
    @Revision("1")
    public record ReactionRemoved(String conversationId, String messageId, long seq, String userId, String emoji,
                                  long reactionVersion, Instant removedAt) implements ConversationEvent {
    }
}
