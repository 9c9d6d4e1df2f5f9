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
import io.parley.query.store.ReactionStore;
import io.parley.query.store.ReplyStore;
import io.parley.api.conversation.ConversationEvents.ReactionAdded;
import io.parley.api.conversation.ConversationEvents.ReactionRemoved;
import io.parley.query.store.ReadStores;
import io.parley.query.store.TimelineStore;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.eventhandling.Timestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 */
@Component
@ProcessingGroup(ConversationProjection.PROCESSING_GROUP)
public class ConversationProjection {

    public static final String PROCESSING_GROUP = "conversation-projection";

    private static final Logger log = LoggerFactory.getLogger(ConversationProjection.class);

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

    @EventHandler
    void on(MessageSent e, @Timestamp Instant timestamp) {
        Instant at = orElse(e.sentAt(), timestamp);
        timeline.append(new MessageView(e.conversationId(), e.messageId(), e.seq(), e.senderId(), e.text(), at, null,
                false, e.attachments() == null ? List.of() : List.copyOf(e.attachments())));
        // Without transactions (Mongo) readers may see the writes one by one: the message and the conversation's
        // lastSeq first, so an unread badge never points at a last message that is not there yet.
        if (e.replyTo() != null) {
            replies.record(e.conversationId(), e.seq(), e.replyTo());
        }
        if (!e.mentionsOrNone().isEmpty()) {
            mentions.record(e.conversationId(), e.seq(), e.mentionsOrNone());
        }
        conversations.messageAdded(e.conversationId(), e.seq(), at);
        inbox.messageArrived(e.conversationId(), e.seq(), e.senderId(), at);
        // the sender has read up to its own message (as the inbox counts it): its mentions up to here too
        mentions.read(e.senderId(), e.conversationId(), e.seq());
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

    private void removed(String conversationId, String userId, long version, Instant at) {
        changeMembers(conversationId, version, at, c -> inbox.leave(userId, conversationId),
                members -> members.stream().filter(m -> !m.userId().equals(userId)).toList());
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

    private static Instant orElse(Instant own, Instant timestamp) {
        return own != null ? own : timestamp;
    }
}
