package io.parley.api.conversation;

import io.parley.api.media.Attachment;
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

    /** A member and its role, as carried in events and views. */
    public record Member(String userId, MemberRole role) {
    }

    @Revision("1")
    public record DirectConversationOpened(String conversationId, List<String> memberIds, String openedBy,
                                           Instant openedAt) {
    }

    @Revision("1")
    public record GroupCreated(String conversationId, String name, String ownerId, List<Member> members,
                               Instant createdAt) {
    }

    @Revision("1")
    public record MemberAdded(String conversationId, String userId, MemberRole role, String addedBy,
                              Instant addedAt) {
    }

    /** A member left of its own accord. */
    @Revision("1")
    public record MemberLeft(String conversationId, String userId, Instant leftAt) {
    }

    /** A member was removed by an owner or admin. */
    @Revision("1")
    public record MemberRemoved(String conversationId, String userId, String removedBy, Instant removedAt) {
    }

    /** A member's role changed, e.g. ownership handed on when the last owner left. */
    @Revision("1")
    public record MemberRoleChanged(String conversationId, String userId, MemberRole role, Instant changedAt) {
    }

    /**
     * A message was sent. Revision 2: {@code attachments} are {@link Attachment} objects (what the server found in
     * the stored media, without links); revision 1 had a list of strings that was always empty, turned into
     * objects by the upcaster {@code MessageSentAttachmentsUpcaster} (axon-config).
     */
    @Revision("2")
    public record MessageSent(String conversationId, String messageId, long seq, String senderId,
                              String clientMsgId, String text, List<Attachment> attachments, Instant sentAt,
                              List<String> mentions) {
    }

    @Revision("1")
    public record MessagesDelivered(String conversationId, String userId, long upToSeq, Instant deliveredAt) {
    }

    @Revision("1")
    public record MessagesRead(String conversationId, String userId, long upToSeq, Instant readAt) {
    }

    @Revision("1")
    public record MessageEdited(String conversationId, String messageId, long seq, String editorId, String text,
                                Instant editedAt) {
    }

    @Revision("1")
    public record MessageDeleted(String conversationId, String messageId, long seq, String deletedBy,
                                 Instant deletedAt) {
    }
}
