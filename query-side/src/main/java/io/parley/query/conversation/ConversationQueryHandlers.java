package io.parley.query.conversation;

import io.parley.api.conversation.ConversationQueries;
import io.parley.api.conversation.ConversationQueries.ConversationMembers;
import io.parley.api.conversation.ConversationQueries.ConversationMembersQuery;
import io.parley.api.conversation.ConversationQueries.ConversationSummary;
import io.parley.api.conversation.ConversationQueries.ConversationsOfUserQuery;
import io.parley.api.conversation.ConversationQueries.MessagePage;
import io.parley.api.conversation.ConversationQueries.MessagePageQuery;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.query.store.ConversationRecord;
import io.parley.query.store.ConversationStore;
import io.parley.query.store.InboxEntry;
import io.parley.query.store.InboxStore;
import io.parley.query.store.MessageKey;
import io.parley.query.store.MentionStore;
import io.parley.query.store.ReactionStore;
import io.parley.query.store.ReplyStore;
import io.parley.api.conversation.ConversationQueries.MessageReactions;
import io.parley.api.conversation.ConversationQueries.Quote;
import io.parley.api.conversation.ConversationQueries.ReactionChangesQuery;
import io.parley.query.store.ReadStores;
import io.parley.query.store.TimelineStore;
import io.parley.api.conversation.ConversationQueries.MemberCursor;
import io.parley.api.conversation.ConversationQueries.ReceiptsQuery;
import io.parley.query.consistency.ConsistencyBarrier;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.interceptors.MessageHandlerInterceptor;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.queryhandling.QueryMessage;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Answers the conversation queries from the read models. Access control (is the caller a member?) is the caller's job:
 * these handlers answer whoever asks. Every answer reflects every event committed before the query arrived
 * ({@link ConsistencyBarrier}).
 */
@Component
public class ConversationQueryHandlers {

    private final TimelineStore timeline;
    private final ConversationStore conversations;
    private final InboxStore inbox;
    private final ConsistencyBarrier barrier;
    private final ReplyStore replies;
    private final MentionStore mentions;
    private final ReactionStore reactions;

    public ConversationQueryHandlers(ReadStores stores, ConsistencyBarrier barrier) {
        this.replies = stores.replies();
        this.mentions = stores.mentions();
        this.reactions = stores.reactions();
        this.timeline = stores.timeline();
        this.conversations = stores.conversations();
        this.inbox = stores.inbox();
        this.barrier = barrier;
    }

    /** Read-your-writes: the projection first catches up with everything committed before the query. */
    @MessageHandlerInterceptor(messageType = QueryMessage.class)
    Object afterCatchingUp(QueryMessage<?, ?> query, InterceptorChain chain) throws Exception {
        barrier.awaitProjection(ConversationProjection.PROCESSING_GROUP, query);
        return chain.proceed();
    }

    /**
     * A page of history, ascending by seq. {@code limit} <= 0 means {@value ConversationQueries#DEFAULT_PAGE}; above
     * {@value ConversationQueries#MAX_PAGE} it is clamped. With {@code afterSeq} (and optionally {@code beforeSeq} as an
     * upper bound) the page is the oldest messages above it and {@code hasMore} says whether newer ones follow; otherwise
     * it is the newest messages below {@code beforeSeq} (or overall) and {@code hasMore} says whether older ones exist.
     * An unknown conversation answers an empty page.
     *
     * <p>Callers: {@code queryGateway.query(q, ResponseTypes.instanceOf(MessagePage.class))}; never null.
     */
    @QueryHandler
    public MessagePage handle(MessagePageQuery query) {
        int limit = query.limit() <= 0 ? ConversationQueries.DEFAULT_PAGE
                : Math.min(query.limit(), ConversationQueries.MAX_PAGE);
        boolean backwards = query.afterSeq() == null;
        long after = query.afterSeq() == null ? 0 : Math.max(0, query.afterSeq());
        long before = query.beforeSeq() == null ? Long.MAX_VALUE : query.beforeSeq();
        List<MessageView> rows = timeline.range(query.conversationId(), after, before, limit + 1, backwards);
        boolean hasMore = rows.size() > limit;
        if (hasMore) {
            // the extra row is the one furthest in the paging direction: the oldest going back, the newest going forward
            rows = backwards ? rows.subList(1, rows.size()) : rows.subList(0, limit);
        }
        return new MessagePage(withExtras(query.conversationId(), rows), hasMore);
    }

    /**
     * The messages with what the other read models know of them: the quote of each reply as the quoted message reads
     * now (so it follows edits and deletes), the mentions, the reactions.
     */
    private List<MessageView> withExtras(String conversationId, List<MessageView> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<Long> seqs = rows.stream().map(MessageView::seq).toList();
        Map<Long, Long> replyTo = replies.repliesAmong(conversationId, seqs);
        Map<Long, List<String>> mentioned = mentions.mentionsAmong(conversationId, seqs);
        Map<Long, MessageReactions> reacted = reactions.ofMessages(conversationId, seqs);
        Map<Long, MessageView> quoted = replyTo.isEmpty() ? Map.of() : timeline.findAll(replyTo.values().stream()
                        .distinct().map(seq -> new MessageKey(conversationId, seq)).toList()).stream()
                .collect(Collectors.toMap(MessageView::seq, Function.identity(), (a, b) -> a));
        List<MessageView> result = new ArrayList<>(rows.size());
        for (MessageView m : rows) {
            Long answers = replyTo.get(m.seq());
            MessageReactions r = reacted.get(m.seq());
            result.add(new MessageView(m.conversationId(), m.messageId(), m.seq(), m.senderId(), m.text(),
                    m.sentAt(), m.editedAt(), m.deleted(), m.attachments(), answers,
                    answers == null ? null : quoteOf(answers, quoted.get(answers)),
                    m.deleted() ? List.of() : mentioned.getOrDefault(m.seq(), List.of()),
                    r == null || m.deleted() ? List.of() : r.reactions(), r == null ? 0 : r.reactionVersion()));
        }
        return List.copyOf(result);
    }

    private static Quote quoteOf(long seq, MessageView quoted) {
        return quoted == null ? new Quote(seq, null, null, true) : Quote.of(quoted);
    }

    /**
     * The messages of a conversation whose reactions changed after {@code afterVersion}, oldest change first, each
     * with its reactions now; at most {@code limit} (1 to {@value ConversationQueries#MAX_PAGE}). Callers use
     * {@code multipleInstancesOf(MessageReactions.class)}.
     */
    @QueryHandler
    public List<MessageReactions> handle(ReactionChangesQuery query) {
        int limit = Math.max(1, Math.min(query.limit(), ConversationQueries.MAX_PAGE));
        return reactions.changedSince(query.conversationId(), Math.max(0, query.afterVersion()), limit);
    }

    /**
     * The user's conversations, most recently active first, each with its members, the user's cursors and unread count,
     * and the last message (null when there is none; a deleted one shows as its tombstone).
     *
     * <p>Callers: {@code queryGateway.query(q, ResponseTypes.multipleInstancesOf(ConversationSummary.class))}; an empty
     * list when the user has none.
     */
    @QueryHandler
    public List<ConversationSummary> handle(ConversationsOfUserQuery query) {
        List<InboxEntry> rows = inbox.ofUser(query.userId());
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<String, ConversationRecord> byId = conversations.findAll(
                        rows.stream().map(InboxEntry::conversationId).toList()).stream()
                .collect(Collectors.toMap(ConversationRecord::conversationId, Function.identity()));
        List<MessageKey> lastKeys = byId.values().stream()
                .filter(c -> c.lastSeq() > 0)
                .map(c -> new MessageKey(c.conversationId(), c.lastSeq()))
                .toList();
        Map<String, MessageView> lastMessages = timeline.findAll(lastKeys).stream()
                .collect(Collectors.toMap(MessageView::conversationId, Function.identity(), (a, b) -> a));
        Map<String, Long> unreadMentions = mentions.unreadOf(query.userId());
        Map<String, Long> reactionVersions = reactions.latestVersions(byId.keySet());
        List<ConversationSummary> summaries = new ArrayList<>(rows.size());
        for (InboxEntry row : rows) {
            ConversationRecord c = byId.get(row.conversationId());
            if (c == null) {
                continue;
            }
            summaries.add(new ConversationSummary(c.conversationId(), c.type(), c.name(), c.members(), c.lastSeq(),
                    row.readSeq(), row.deliveredSeq(), row.unread(), lastMessages.get(c.conversationId()),
                    row.updatedAt(), unreadMentions.getOrDefault(c.conversationId(), 0L),
                    reactionVersions.getOrDefault(c.conversationId(), 0L)));
        }
        return summaries;
    }

    /**
     * The members of a conversation, with {@code version} = the aggregate sequence number of the last membership event.
     *
     * <p>Callers: {@code queryGateway.query(q, ResponseTypes.instanceOf(ConversationMembers.class))}; the result is
     * null for an unknown conversation (Axon completes the future with null).
     */
    @QueryHandler
    public ConversationMembers handle(ConversationMembersQuery query) {
        return conversations.find(query.conversationId())
                .map(c -> new ConversationMembers(c.conversationId(), c.type(), c.name(), c.members(), c.lastSeq(),
                        c.membersVersion()))
                .orElse(null);
    }

    /** Callers use {@code ResponseTypes.multipleInstancesOf(MemberCursor.class)}. */
    @QueryHandler
    public List<MemberCursor> handle(ReceiptsQuery query) {
        return inbox.ofConversation(query.conversationId()).stream()
                .map(row -> new MemberCursor(row.userId(), row.deliveredSeq(), row.readSeq()))
                .toList();
    }
}
