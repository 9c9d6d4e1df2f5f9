package io.parley.api.conversation;

import io.parley.api.media.Attachment;

import java.time.Instant;
import java.util.List;

/** Queries answered by the query side, and the views they return. */
public final class ConversationQueries {

    private ConversationQueries() {
    }

    /** Default and maximum page sizes of history (PROTOCOL.md). */
    public static final int DEFAULT_PAGE = 50;
    public static final int MAX_PAGE = 200;

    /**
     * A page of history in ascending {@code seq}. With {@code beforeSeq} the page is the newest
     * {@code limit} messages below it; with {@code afterSeq} the oldest {@code limit} above it; with
     * neither, the newest {@code limit}. Answers {@link MessagePage}.
     */
    public record MessagePageQuery(String conversationId, Long beforeSeq, Long afterSeq, int limit) {
    }

    /** The user's conversations, most recently active first. Answers a list of {@link ConversationSummary}. */
    public record ConversationsOfUserQuery(String userId) {
    }

    /** The members of one conversation. Answers {@link ConversationMembers}, or null when unknown. */
    public record ConversationMembersQuery(String conversationId) {
    }

    /** Every member's delivered and read cursor. Answers a list of {@link MemberCursor}, by user id. */
    public record ReceiptsQuery(String conversationId) {
    }

    /** How far one member has received and read a conversation. */
    public record MemberCursor(String userId, long deliveredSeq, long readSeq) {
    }

    /** One message as clients see it (PROTOCOL.md "message object"). */
    public record MessageView(String conversationId, String messageId, long seq, String senderId, String text,
                              Instant sentAt, Instant editedAt, boolean deleted, List<Attachment> attachments) {
    }

    public record MessagePage(List<MessageView> messages, boolean hasMore) {
    }

    /**
     * A conversation from one member's point of view (the inbox row).
     * {@code unread} counts messages of others above {@code readSeq}, deleted ones not included.
     */
    public record ConversationSummary(String conversationId, ConversationType type, String name,
                                      List<ConversationEvents.Member> members, long lastSeq, long readSeq,
                                      long deliveredSeq, long unread, MessageView lastMessage, Instant updatedAt) {
    }

    /**
     * Members of a conversation. {@code version} is the aggregate sequence number of the last event that
     * changed membership, so a cache fed by both this view and the live event stream can tell which is newer.
     */
    public record ConversationMembers(String conversationId, ConversationType type, String name,
                                      List<ConversationEvents.Member> members, long lastSeq, long version) {
    }
}
