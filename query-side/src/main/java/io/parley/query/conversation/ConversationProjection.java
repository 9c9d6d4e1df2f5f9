package io.parley.query.conversation;

import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.conversation.ConversationEvents.GroupCreated;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationEvents.MemberAdded;
import io.parley.api.conversation.ConversationEvents.MemberLeft;
import io.parley.api.conversation.ConversationEvents.MemberRemoved;
import io.parley.api.conversation.ConversationEvents.MemberRoleChanged;
import io.parley.api.conversation.ConversationEvents.MessageDeleted;
import io.parley.api.conversation.ConversationEvents.MessageEdited;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.ConversationEvents.MessagesDelivered;
import io.parley.api.conversation.ConversationEvents.MessagesRead;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.api.conversation.ConversationType;
import io.parley.api.conversation.MemberRole;
import io.parley.query.store.ConversationRecord;
import io.parley.query.store.ConversationStore;
import io.parley.query.store.InboxEntry;
import io.parley.query.store.InboxStore;
import io.parley.query.store.MentionStore;
import io.parley.query.store.MessageArrival;
import io.parley.query.store.ReactionStore;
import io.parley.query.store.ReplyStore;
import io.parley.api.conversation.ConversationEvents.ReactionAdded;
import io.parley.api.conversation.ConversationEvents.ReactionRemoved;
import io.parley.query.store.ReadStores;
import io.parley.query.store.TimelineStore;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.ConcludesBatch;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.interceptors.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Projects conversation events into three read models updated together by one processor: the timeline (messages),
 * conversations (members, last seq) and each member's inbox row (cursors, unread).
 *
 * <p>Replaying or redelivering any event changes nothing: messages are inserted once per (conversationId, seq), inbox rows
 * count a message only when it is past their lastSeq, read cursors only move forward, a delete counts unread again
 * instead of subtracting, and membership events apply only when their aggregate sequence number is above the
 * conversation's {@code membersVersion}. With the Mongo store (no transactions) the idempotent inbox change of a
 * membership event is written before the guarded member list, so a crash between the two is repaired when the event
 * is redelivered.
 *
 * <p>Batch-aware (issue 17): a message is held in the batch's unit of work when it is handled, and the held messages
 * are written by {@link #writeHeldAround}: their timeline rows in one batch, then what they change in each
 * conversation's row, its members' inbox rows and its senders' mentions once per conversation: before any other
 * event of the batch is handled (so every handler sees the read model as if each event before it had been written)
 * and after the event that concludes the batch, even if its handler failed. The writes so stay in the batch's
 * transaction (with Mongo, they happen before the batch's token is saved); if they fail, the batch fails and is
 * handled again ({@link HeldWritesErrorHandler}).
 */
@Component
@ProcessingGroup(ConversationProjection.PROCESSING_GROUP)
public class ConversationProjection {

    public static final String PROCESSING_GROUP = "conversation-projection";

    private static final Logger log = LoggerFactory.getLogger(ConversationProjection.class);

    /** The unit-of-work resource holding a batch's messages that are still to be written. */
    private static final String HELD_MESSAGES = ConversationProjection.class.getName() + ".heldMessages";

    /** Held messages of a handler called outside a unit of work, written (and so emptied) as the call returns. */
    private static final ThreadLocal<List<HeldMessage>> NOT_IN_A_UNIT_OF_WORK = ThreadLocal.withInitial(ArrayList::new);

    private final TimelineStore timeline;
    private final ConversationStore conversations;
    private final InboxStore inbox;
    private final ReplyStore replies;
    private final MentionStore mentions;
    private final ReactionStore reactions;

    public ConversationProjection(ReadStores stores) {
        this.timeline = stores.timeline();
        this.conversations = stores.conversations();
        this.inbox = stores.inbox();
        this.replies = stores.replies();
        this.mentions = stores.mentions();
        this.reactions = stores.reactions();
    }

    @EventHandler
    void on(DirectConversationOpened e, @Timestamp Instant timestamp, @SequenceNumber long version) {
        Instant at = orElse(e.openedAt(), timestamp);
        List<Member> members = e.memberIds().stream().distinct().map(id -> new Member(id, MemberRole.MEMBER)).toList();
        created(new ConversationRecord(e.conversationId(), ConversationType.DIRECT, null, members, version, 0, at), at);
    }

    @EventHandler
    void on(GroupCreated e, @Timestamp Instant timestamp, @SequenceNumber long version) {
        Instant at = orElse(e.createdAt(), timestamp);
        List<Member> members = new ArrayList<>();
        if (e.ownerId() != null && e.members().stream().noneMatch(m -> m.userId().equals(e.ownerId()))) {
            members.add(new Member(e.ownerId(), MemberRole.OWNER));
        }
        members.addAll(e.members());
        created(new ConversationRecord(e.conversationId(), ConversationType.GROUP, e.name(), members, version, 0, at),
                at);
    }

    @EventHandler
    void on(MemberAdded e, @Timestamp Instant timestamp, @SequenceNumber long version) {
        Instant at = orElse(e.addedAt(), timestamp);
        Member added = new Member(e.userId(), e.role() == null ? MemberRole.MEMBER : e.role());
        changeMembers(e.conversationId(), version, at,
                c -> inbox.join(e.userId(), c.conversationId(), c.lastSeq(), at),
                members -> withMember(members, added));
    }

    @EventHandler
    void on(MemberLeft e, @Timestamp Instant timestamp, @SequenceNumber long version) {
        removed(e.conversationId(), e.userId(), version, orElse(e.leftAt(), timestamp));
    }

    @EventHandler
    void on(MemberRemoved e, @Timestamp Instant timestamp, @SequenceNumber long version) {
        removed(e.conversationId(), e.userId(), version, orElse(e.removedAt(), timestamp));
    }

    @EventHandler
    void on(MemberRoleChanged e, @Timestamp Instant timestamp, @SequenceNumber long version) {
        changeMembers(e.conversationId(), version, orElse(e.changedAt(), timestamp), c -> {
        }, members -> members.stream()
                .map(m -> m.userId().equals(e.userId()) ? new Member(m.userId(), e.role()) : m)
                .toList());
    }

    /** Held, with the batch's other messages, until {@link #writeHeldAround} writes them. */
    @EventHandler
    void on(MessageSent e, @Timestamp Instant timestamp) {
        heldMessages().add(new HeldMessage(e, orElse(e.sentAt(), timestamp)));
    }

    /** Any other event (its payload left serialized): handled only so that {@link #writeHeldAround} sees it. */
    @EventHandler
    void on(EventMessage<?> otherEvent) {
    }

    @EventHandler
    void on(ReactionAdded e) {
        reactions.add(e.conversationId(), e.seq(), e.messageId(), e.userId(), e.emoji(), e.reactionVersion());
    }

    @EventHandler
    void on(ReactionRemoved e) {
        reactions.remove(e.conversationId(), e.seq(), e.messageId(), e.userId(), e.emoji(), e.reactionVersion());
    }

    @EventHandler
    void on(MessagesDelivered e) {
        inbox.delivered(e.userId(), e.conversationId(), e.upToSeq());
    }

    @EventHandler
    void on(MessagesRead e) {
        long unread = timeline.countUnread(e.conversationId(), e.userId(), e.upToSeq());
        inbox.read(e.userId(), e.conversationId(), e.upToSeq(), unread);
        mentions.read(e.userId(), e.conversationId(), e.upToSeq());
    }

    @EventHandler
    void on(MessageEdited e, @Timestamp Instant timestamp) {
        timeline.edit(e.conversationId(), e.seq(), e.text(), orElse(e.editedAt(), timestamp));
    }

    /**
     * The tombstone first, then the unread count of each member who had not read that far is counted again from the
     * timeline, as a read counts it. Counted, not decremented: a delete delivered twice, a second delete of the same
     * message, or (Mongo, no transactions) a crash between the two writes and a redelivery would each subtract once
     * too often. Counted here, on a rare event, rather than on every inbox read, where it would cost a count per
     * conversation listed.
     */
    @EventHandler
    void on(MessageDeleted e) {
        timeline.delete(e.conversationId(), e.seq());
        mentions.deleteOfMessage(e.conversationId(), e.seq());
        reactions.deleteOfMessage(e.conversationId(), e.seq());
        for (InboxEntry row : inbox.ofConversation(e.conversationId())) {
            if (row.readSeq() < e.seq()) {
                inbox.recount(row.userId(), e.conversationId(), row.readSeq(),
                        timeline.countUnread(e.conversationId(), row.userId(), row.readSeq()));
            }
        }
    }

    /**
     * Writes the batch's held messages before any event but a message is handled, and after the event that concludes
     * the batch (a direct call outside a processor concludes its own); in a {@code finally}, so a failing handler
     * that a logging error handler lets the batch commit past does not take the held writes with it.
     */
    @MessageHandlerInterceptor
    Object writeHeldAround(EventMessage<?> event, InterceptorChain chain, @ConcludesBatch boolean concludesBatch)
            throws Exception {
        if (!MessageSent.class.equals(event.getPayloadType())) {
            write(heldMessages());
        }
        try {
            return chain.proceed();
        } finally {
            if (concludesBatch) {
                write(heldMessages());
            }
        }
    }

    /** A batch's messages held so far, in the order handled (a resource of its unit of work). */
    private List<HeldMessage> heldMessages() {
        return CurrentUnitOfWork.isStarted()
                ? CurrentUnitOfWork.get().getOrComputeResource(HELD_MESSAGES, key -> new ArrayList<>())
                : NOT_IN_A_UNIT_OF_WORK.get();
    }

    /**
     * Writes the held messages and lets go of them; if a write fails, {@link HeldWritesFailedException} (which fails
     * the batch: {@link HeldWritesErrorHandler}).
     */
    private void write(List<HeldMessage> held) {
        if (held.isEmpty()) {
            return;
        }
        List<HeldMessage> all = List.copyOf(held);
        held.clear(); // also when a write fails: a batch handled again holds its messages again
        try {
            writeAll(all);
        } catch (RuntimeException e) {
            throw new HeldWritesFailedException(all.size(), e);
        }
    }

    /**
     * The messages' timeline rows (one batch for all), their replies and mentions; then, for each of their
     * conversations, its lastSeq, its members' inbox rows and each sender's own mentions as read up to its last
     * message. Within a conversation that is the order one message at a time wrote them (with Mongo a reader may see
     * the writes one by one: never an unread badge pointing at a message that is not there yet).
     */
    private void writeAll(List<HeldMessage> all) {
        timeline.appendAll(all.stream().map(HeldMessage::timelineRow).toList());
        for (HeldMessage message : all) {
            MessageSent e = message.event();
            if (e.replyTo() != null) {
                replies.record(e.conversationId(), e.seq(), e.replyTo());
            }
            if (!e.mentionsOrNone().isEmpty()) {
                mentions.record(e.conversationId(), e.seq(), e.mentionsOrNone());
            }
        }
        Map<String, List<MessageArrival>> arrivals = new LinkedHashMap<>();
        all.forEach(message -> arrivals.computeIfAbsent(message.event().conversationId(), c -> new ArrayList<>())
                .add(message.arrival()));
        arrivals.forEach((conversationId, messages) -> {
            long lastSeq = messages.stream().mapToLong(MessageArrival::seq).max().orElseThrow();
            conversations.messageAdded(conversationId, lastSeq, MessageArrival.latest(messages));
            inbox.messagesArrived(conversationId, messages);
            MessageArrival.lastOfEachSender(messages).forEach((sender, seq) -> mentions.read(sender, conversationId, seq));
        });
    }

    /** A replay starts from empty tables. */
    @ResetHandler
    void reset() {
        timeline.clear();
        inbox.clear();
        conversations.clear();
        replies.clear();
        mentions.clear();
        reactions.clear();
    }

    private void created(ConversationRecord created, Instant at) {
        Optional<ConversationRecord> existing = conversations.find(created.conversationId());
        if (existing.isPresent() && existing.get().membersVersion() > created.membersVersion()) {
            return; // a later membership change is applied; the first members may have left since
        }
        created.members().forEach(m -> inbox.join(m.userId(), created.conversationId(), 0, at));
        conversations.create(created);
    }

    /**
     * A member who leaves or is removed loses the inbox row and, with it, its unread mentions: they are read, so that
     * being added again counts none of what was said before, as the new row counts no message from before.
     */
    private void removed(String conversationId, String userId, long version, Instant at) {
        changeMembers(conversationId, version, at, c -> {
            inbox.leave(userId, conversationId);
            mentions.read(userId, conversationId, Long.MAX_VALUE);
        }, members -> members.stream().filter(m -> !m.userId().equals(userId)).toList());
    }

    /**
     * Applies a membership event: nothing when a later one is applied already; the (idempotent) inbox change also when
     * this very event is the last one applied, because without transactions a crash may have come between the two
     * writes; the member list only when the event is new.
     */
    private void changeMembers(String conversationId, long version, Instant at, Consumer<ConversationRecord> inboxChange,
                               UnaryOperator<List<Member>> membersChange) {
        Optional<ConversationRecord> found = conversations.find(conversationId);
        if (found.isEmpty()) {
            log.warn("membership event {} for unknown conversation {} ignored", version, conversationId);
            return;
        }
        ConversationRecord conversation = found.get();
        if (version < conversation.membersVersion()) {
            return;
        }
        inboxChange.accept(conversation);
        if (version > conversation.membersVersion()) {
            conversations.replaceMembers(conversationId, membersChange.apply(conversation.members()), version, at);
        }
    }

    private static List<Member> withMember(List<Member> members, Member added) {
        List<Member> result = new ArrayList<>(members.size() + 1);
        boolean present = false;
        for (Member m : members) {
            if (m.userId().equals(added.userId())) {
                result.add(added);
                present = true;
            } else {
                result.add(m);
            }
        }
        if (!present) {
            result.add(added);
        }
        return result;
    }

    /**
     * The held messages could not be written: {@link HeldWritesErrorHandler} fails the batch with it, so the processor
     * handles the batch again rather than move past messages whose writes were lost.
     */
    public static class HeldWritesFailedException extends RuntimeException {
        HeldWritesFailedException(int messages, RuntimeException cause) {
            super("could not write the " + messages + " message(s) held in this batch", cause);
        }
    }

    /** A message handled but not yet written, with the time it was sent (its own, else the event's). */
    private record HeldMessage(MessageSent event, Instant at) {

        MessageView timelineRow() {
            return new MessageView(event.conversationId(), event.messageId(), event.seq(), event.senderId(),
                    event.text(), at, null, false,
                    event.attachments() == null ? List.of() : List.copyOf(event.attachments()));
        }

        MessageArrival arrival() {
            return new MessageArrival(event.seq(), event.senderId(), at);
        }
    }

    private static Instant orElse(Instant own, Instant timestamp) {
        return own != null ? own : timestamp;
    }
}
