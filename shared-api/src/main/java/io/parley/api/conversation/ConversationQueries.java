package io.parley.api.conversation;

import io.parley.api.media.Attachment;
import com.fasterxml.jackson.annotation.JsonCreator;

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

    /**
     * One message as clients see it (PROTOCOL.md "message object"). Added by Parley at the end: {@code replyTo} (the
     * seq it answers, or null) with its {@code quote} as the quoted message reads now; {@code mentions} (user ids);
     * {@code reactions} (per emoji, the count and who, in the order first added); {@code reactionVersion} (the
     * conversation's reaction change that last touched this message, 0 when none).
     */
    public record MessageView(String conversationId, String messageId, long seq, String senderId, String text,
                              Instant sentAt, Instant editedAt, boolean deleted, List<Attachment> attachments,
                              Long replyTo, Quote quote, List<String> mentions, List<Reaction> reactions,
                              long reactionVersion) {

        @JsonCreator
        public MessageView {
        }

        /** A message that replies to nothing, mentions no one and has no reactions. */
        public MessageView(String conversationId, String messageId, long seq, String senderId, String text,
                           Instant sentAt, Instant editedAt, boolean deleted, List<Attachment> attachments) {
            this(conversationId, messageId, seq, senderId, text, sentAt, editedAt, deleted, attachments, null, null,
                    List.of(), List.of(), 0);
        }

        public MessageView withQuote(Quote newQuote) {
            return new MessageView(conversationId, messageId, seq, senderId, text, sentAt, editedAt, deleted,
                    attachments, replyTo, newQuote, mentions, reactions, reactionVersion);
        }

        public MessageView withReactions(List<Reaction> newReactions, long newReactionVersion) {
            return new MessageView(conversationId, messageId, seq, senderId, text, sentAt, editedAt, deleted,
                    attachments, replyTo, quote, mentions, newReactions, newReactionVersion);
        }
    }

    /** The longest excerpt of a quoted message, in code points. */
    public static final int QUOTE_LENGTH = 100;

    /**
     * What a reply shows of the message it answers, as that message reads now: its sender and its first
     * {@link #QUOTE_LENGTH} code points, or {@code deleted} (no sender, no text) once it is deleted.
     */
    public record Quote(long seq, String senderId, String excerpt, boolean deleted) {

        public static Quote of(MessageView quoted) {
            if (quoted == null || quoted.deleted()) {
                return new Quote(quoted == null ? 0 : quoted.seq(), null, null, true);
            }
            String text = quoted.text() == null ? "" : quoted.text();
            int end = text.codePointCount(0, text.length()) <= QUOTE_LENGTH ? text.length()
                    : text.offsetByCodePoints(0, QUOTE_LENGTH);
            return new Quote(quoted.seq(), quoted.senderId(), text.substring(0, end), false);
        }
    }

    /** The reactions with one emoji to one message: how many, and who (user ids, in the order they reacted). */
    public record Reaction(String emoji, long count, List<String> userIds) {
    }

    /**
     * The messages of a conversation whose reactions changed after the change {@code afterVersion}, with their
     * current reactions (a reconnecting client's missed reactions). Answers a list of {@link MessageReactions}.
     */
    public record ReactionChangesQuery(String conversationId, long afterVersion, int limit) {
    }

    /** The current reactions of one message and the reaction change that last touched it. */
    public record MessageReactions(String conversationId, long seq, String messageId, List<Reaction> reactions,
                                   long reactionVersion) {
    }

    public record MessagePage(List<MessageView> messages, boolean hasMore) {
    }

    /**
     * A conversation from one member's point of view (the inbox row).
     * {@code unread} counts messages of others above {@code readSeq}, deleted ones not included;
     * {@code unreadMentions} those of them that mention the user (Parley addition); {@code reactionVersion} the
     * conversation's latest reaction change, where a client's {@code sync} may resume reactions from.
     */
    public record ConversationSummary(String conversationId, ConversationType type, String name,
                                      List<ConversationEvents.Member> members, long lastSeq, long readSeq,
                                      long deliveredSeq, long unread, MessageView lastMessage, Instant updatedAt,
                                      long unreadMentions, long reactionVersion) {

        @JsonCreator
        public ConversationSummary {
        }

        public ConversationSummary(String conversationId, ConversationType type, String name,
                                   List<ConversationEvents.Member> members, long lastSeq, long readSeq,
                                   long deliveredSeq, long unread, MessageView lastMessage, Instant updatedAt) {
            this(conversationId, type, name, members, lastSeq, readSeq, deliveredSeq, unread, lastMessage, updatedAt,
                    0, 0);
        }
    }

    /**
     * Members of a conversation. {@code version} is the aggregate sequence number of the last event that
     * changed membership, so a cache fed by both this view and the live event stream can tell which is newer.
     */
    public record ConversationMembers(String conversationId, ConversationType type, String name,
                                      List<ConversationEvents.Member> members, long lastSeq, long version) {
    }
}
