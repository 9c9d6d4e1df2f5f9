package io.parley.command.conversation;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.parley.api.conversation.ConversationCommands.AddMember;
import io.parley.api.conversation.ConversationCommands.AddReaction;
import io.parley.api.conversation.ConversationCommands.RemoveReaction;
import io.parley.api.conversation.ConversationEvents.ReactionAdded;
import io.parley.api.conversation.ConversationEvents.ReactionRemoved;
import io.parley.api.conversation.Emoji;
import io.parley.api.conversation.ConversationCommands.CreateGroup;
import io.parley.api.conversation.ConversationCommands.DeleteMessage;
import io.parley.api.conversation.ConversationCommands.EditMessage;
import io.parley.api.conversation.ConversationCommands.MarkDelivered;
import io.parley.api.conversation.ConversationCommands.MarkRead;
import io.parley.api.conversation.ConversationCommands.OpenDirectConversation;
import io.parley.api.conversation.ConversationCommands.RemoveMember;
import io.parley.api.conversation.ConversationCommands.SendMessage;
import io.parley.api.media.Attachment;
import io.parley.api.conversation.ConversationCommands.SendResult;
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
import io.parley.api.conversation.ConversationIds;
import io.parley.api.conversation.ConversationType;
import io.parley.api.conversation.MemberRole;
import io.parley.api.error.ConflictException;
import io.parley.api.error.ForbiddenException;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.error.NotFoundException;
import io.parley.command.conversation.RecentSends.RecentSend;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static io.parley.api.conversation.ConversationCommands.MAX_CLIENT_MSG_ID_LENGTH;
import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/**
 * A conversation: a direct one between two users, or a group. It decides who may do what, assigns each message its
 * {@code seq} (1, 2, 3, … without gaps) and keeps the members' delivered and read cursors moving forward only.
 * <p>
 * Its state is small on purpose, because it is cached and snapshotted: members with their roles and cursors, the
 * last seq, the idempotency window of recent sends ({@link RecentSends}) and the facts that edits and deletes need
 * about recent messages ({@link MessageWindow}). It never holds a message body.
 * <p>
 * <b>Ownership never lapses while anyone remains.</b> When the last owner of a group leaves and members remain,
 * ownership passes to the longest-standing admin or, if there is none, the longest-standing member ("longest
 * standing" = joined earliest; the members listed at creation joined in the order listed). The event
 * {@link MemberRoleChanged} to {@link MemberRole#OWNER} follows the {@link MemberLeft}. An owner cannot be removed
 * by an admin, so leaving is the only way a group can lose its last owner.
 * <p>
 * Repeats are not errors: opening an open conversation, adding a member again, removing a non-member, deleting a
 * deleted message, a cursor that does not move, and a retried send are accepted and produce no event (a retried
 * send answers its original {@link SendResult}).
 * <p>
 * Snapshots are written with Jackson: every state field is a {@link JsonProperty}, and Jackson uses the
 * no-argument constructor. Package-private is enough for both Axon and Spring, which instantiate it reflectively.
 */
@Aggregate(snapshotTriggerDefinition = "conversationSnapshotTrigger", cache = "conversationCache")
class Conversation {

    static final int MAX_NAME_LENGTH = 100;
    /** The most users one message may mention (the socket frame's own limit, io.parley.api.wire.ClientFrame). */
    static final int MAX_MENTIONS = 50;

    @AggregateIdentifier
    @JsonProperty
    private String conversationId;
    @JsonProperty
    private ConversationType type;
    @JsonProperty
    private String createdBy;
    @JsonProperty
    private Map<String, Membership> members = new LinkedHashMap<>();
    @JsonProperty
    private long joinCount;
    @JsonProperty
    private long lastSeq;
    @JsonProperty
    private RecentSends recentSends = new RecentSends();
    @JsonProperty
    private MessageWindow recentMessages = new MessageWindow();
    @JsonProperty
    private Reactions reactions = new Reactions();

    Conversation() {
        // for Axon (event sourcing), Spring (prototype bean) and Jackson (snapshots)
    }

    // ---------------------------------------------------------------------------------------------------------
    // Opening and creating

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    void handle(OpenDirectConversation command) {
        String requester = required(command.requesterId(), "requesterId");
        String other = required(command.otherUserId(), "otherUserId");
        if (requester.equals(other)) {
            throw new InvalidCommandException("a direct conversation needs two different users");
        }
        String expectedId = ConversationIds.direct(requester, other);
        if (!expectedId.equals(command.conversationId())) {
            throw new IllegalArgumentException("the direct conversation of " + requester + " and " + other
                    + " has the id " + expectedId + ", not " + command.conversationId());
        }
        if (isGroup()) {
            throw new ConflictException("conversation " + command.conversationId() + " is a group");
        }
        if (isOpen()) {
            return;
        }
        List<String> pair = requester.compareTo(other) < 0 ? List.of(requester, other) : List.of(other, requester);
        apply(new DirectConversationOpened(command.conversationId(), pair, requester, now()));
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    void handle(CreateGroup command, ConversationPolicy policy) {
        String creator = required(command.creatorId(), "creatorId");
        String name = validGroupName(command.name());
        Set<String> others = new LinkedHashSet<>();
        for (String memberId : command.memberIds() == null ? List.<String>of() : command.memberIds()) {
            others.add(required(memberId, "memberIds"));
        }
        others.remove(creator);
        if (others.size() + 1 > policy.maxGroupSize()) {
            throw new InvalidCommandException("a group has at most " + policy.maxGroupSize() + " members, "
                    + (others.size() + 1) + " were asked for");
        }
        if (isOpen()) {
            if (isGroup() && creator.equals(createdBy)) {
                return; // the creator's retry
            }
            throw new ConflictException("conversation " + command.conversationId() + " already exists");
        }
        List<Member> members = new ArrayList<>();
        members.add(new Member(creator, MemberRole.OWNER));
        others.forEach(userId -> members.add(new Member(userId, MemberRole.MEMBER)));
        apply(new GroupCreated(command.conversationId(), name, creator, List.copyOf(members), now()));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Membership

    @CommandHandler
    void handle(AddMember command, ConversationPolicy policy) {
        String userId = required(command.userId(), "userId");
        requireGroup("add members to");
        if (!mayManageMembers(command.actorId())) {
            throw new ForbiddenException("only the group's owners and admins may add members");
        }
        if (isMember(userId)) {
            return;
        }
        if (members.size() >= policy.maxGroupSize()) {
            throw new ConflictException("the group is full: a group has at most " + policy.maxGroupSize()
                    + " members");
        }
        apply(new MemberAdded(conversationId, userId, MemberRole.MEMBER, command.actorId(), now()));
    }

    /** Leaving (actor = user) or removing another member; see the class comment for who inherits ownership. */
    @CommandHandler
    void handle(RemoveMember command) {
        String userId = required(command.userId(), "userId");
        requireGroup("remove members from");
        if (userId.equals(command.actorId())) {
            leave(userId);
            return;
        }
        if (!mayManageMembers(command.actorId())) {
            throw new ForbiddenException("only the group's owners and admins may remove members");
        }
        if (!isMember(userId)) {
            return;
        }
        if (isOwner(userId) && !isOwner(command.actorId())) {
            throw new ForbiddenException("an admin may not remove an owner");
        }
        apply(new MemberRemoved(conversationId, userId, command.actorId(), now()));
    }

    private void leave(String userId) {
        if (!isMember(userId)) {
            return;
        }
        Optional<String> heir = isLastOwner(userId) ? longestStandingMemberBesides(userId) : Optional.empty();
        Instant now = now();
        apply(new MemberLeft(conversationId, userId, now));
        heir.ifPresent(newOwner -> apply(new MemberRoleChanged(conversationId, newOwner, MemberRole.OWNER, now)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Messages

    /**
     * Sends a message and answers its {@link SendResult}. A retry (same sender and clientMsgId, within the
     * {@link RecentSends} window) answers the original result and emits nothing — even when the sender has left
     * since, because the original send was accepted.
     */
    @CommandHandler
    SendResult handle(SendMessage command, ConversationPolicy policy) {
        String clientMsgId = validClientMsgId(command.clientMsgId());
        Optional<RecentSend> original = recentSends.find(command.senderId(), clientMsgId);
        if (original.isPresent()) {
            return resultOf(original.get());
        }
        if (!isMember(command.senderId())) {
            throw new ForbiddenException("only members may send messages to this conversation");
        }
        List<Attachment> attachments = validAttachments(command.attachments());
        String text = attachments.isEmpty() || command.text() != null ? validText(command.text(), policy) : null;
        Long replyTo = command.replyTo();
        if (replyTo != null) {
            requireQuotable(replyTo);
        }
        long seq = lastSeq + 1;
        MessageSent sent = new MessageSent(conversationId, UUID.randomUUID().toString(), seq, command.senderId(),
                clientMsgId, text, attachments, now(), mentionedMembers(command.mentions(), command.senderId()),
                replyTo);
        apply(sent);
        return new SendResult(conversationId, sent.messageId(), seq, sent.sentAt());
    }

    @CommandHandler
    void handle(EditMessage command, ConversationPolicy policy) {
        long seq = editableMessage(command.actorId(), command.seq(), policy, "edit");
        if (!command.actorId().equals(recentMessages.senderOf(seq))) {
            throw new ForbiddenException("only the sender may edit a message");
        }
        if (recentMessages.isDeleted(seq)) {
            throw new NotFoundException("message " + seq + " has been deleted");
        }
        String text = validText(command.text(), policy);
        apply(new MessageEdited(conversationId, recentMessages.messageIdOf(seq), seq, command.actorId(), text, now()));
    }

    @CommandHandler
    void handle(DeleteMessage command, ConversationPolicy policy) {
        long seq = editableMessage(command.actorId(), command.seq(), policy, "delete");
        if (!mayDelete(command.actorId(), seq)) {
            throw new ForbiddenException(isGroup()
                    ? "only the sender, an owner or an admin may delete a message"
                    : "only the sender may delete a message");
        }
        if (recentMessages.isDeleted(seq)) {
            return;
        }
        apply(new MessageDeleted(conversationId, recentMessages.messageIdOf(seq), seq, command.actorId(), now()));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reactions

    /**
     * Adds a reaction: members only, to a message that exists, is not deleted and is still among the last
     * {@link MessageWindow#CAPACITY} (older ones keep their reactions but take no new ones); one emoji per user per
     * message, so a second identical reaction is a repeat; at most {@link Reactions#MAX_PER_USER_AND_MESSAGE}
     * different emoji per user on one message.
     */
    @CommandHandler
    void handle(AddReaction command) {
        long seq = reactableMessage(command.userId(), command.seq());
        String emoji = validEmoji(command.emoji());
        if (reactions.has(seq, command.userId(), emoji)) {
            return;
        }
        if (reactions.countOf(seq, command.userId()) >= Reactions.MAX_PER_USER_AND_MESSAGE) {
            throw new InvalidCommandException("one user may put at most " + Reactions.MAX_PER_USER_AND_MESSAGE
                    + " different reactions on a message");
        }
        apply(new ReactionAdded(conversationId, recentMessages.messageIdOf(seq), seq, command.userId(), emoji,
                reactions.nextVersion(), now()));
    }

    /** Takes a reaction back; taking back one that is not there is a repeat. */
    @CommandHandler
    void handle(RemoveReaction command) {
        long seq = reactableMessage(command.userId(), command.seq());
        String emoji = validEmoji(command.emoji());
        if (!reactions.has(seq, command.userId(), emoji)) {
            return;
        }
        apply(new ReactionRemoved(conversationId, recentMessages.messageIdOf(seq), seq, command.userId(), emoji,
                reactions.nextVersion(), now()));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Receipts

    @CommandHandler
    void handle(MarkDelivered command) {
        String userId = command.userId();
        requireMember(userId, "mark messages delivered");
        requireExistingSeq(command.upToSeq());
        if (command.upToSeq() <= members.get(userId).deliveredSeq()) {
            return;
        }
        apply(new MessagesDelivered(conversationId, userId, command.upToSeq(), now()));
    }

    /** Moves the read cursor; the delivered cursor follows it (read implies delivered) without a second event. */
    @CommandHandler
    void handle(MarkRead command) {
        String userId = command.userId();
        requireMember(userId, "mark messages read");
        requireExistingSeq(command.upToSeq());
        if (command.upToSeq() <= members.get(userId).readSeq()) {
            return;
        }
        apply(new MessagesRead(conversationId, userId, command.upToSeq(), now()));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Rules

    private boolean isOpen() {
        return type != null;
    }

    private boolean isGroup() {
        return type == ConversationType.GROUP;
    }

    private boolean isMember(String userId) {
        return userId != null && members.containsKey(userId);
    }

    private boolean isOwner(String userId) {
        return isMember(userId) && members.get(userId).role() == MemberRole.OWNER;
    }

    private boolean mayManageMembers(String userId) {
        return isMember(userId) && members.get(userId).role().canManageMembers();
    }

    private boolean mayDelete(String userId, long seq) {
        return userId.equals(recentMessages.senderOf(seq)) || (isGroup() && mayManageMembers(userId));
    }

    private boolean isLastOwner(String userId) {
        return isOwner(userId) && members.values().stream().filter(m -> m.role() == MemberRole.OWNER).count() == 1;
    }

    private boolean isTooOldToChange(long seq, ConversationPolicy policy) {
        return seq <= lastSeq - policy.editWindow() || !recentMessages.holds(seq);
    }

    private Optional<String> longestStandingMemberBesides(String leaving) {
        Comparator<Map.Entry<String, Membership>> adminsFirstThenSeniority = Comparator
                .<Map.Entry<String, Membership>>comparingInt(e -> e.getValue().role() == MemberRole.ADMIN ? 0 : 1)
                .thenComparingLong(e -> e.getValue().joinOrder());
        return members.entrySet().stream()
                .filter(e -> !e.getKey().equals(leaving))
                .min(adminsFirstThenSeniority)
                .map(Map.Entry::getKey);
    }

    private void requireGroup(String action) {
        if (!isGroup()) {
            throw new InvalidCommandException("you cannot " + action + " a direct conversation");
        }
    }

    private void requireMember(String userId, String action) {
        if (!isMember(userId)) {
            throw new ForbiddenException("only members may " + action + " in this conversation");
        }
    }

    private void requireExistingSeq(long upToSeq) {
        if (upToSeq <= 0) {
            throw new InvalidCommandException("upToSeq must be at least 1, was " + upToSeq);
        }
        if (upToSeq > lastSeq) {
            throw new InvalidCommandException("upToSeq " + upToSeq + " is beyond the last message (" + lastSeq + ")");
        }
    }

    /** Checks the actor may act here and that message {@code seq} exists and is recent enough to change. */
    private long editableMessage(String actorId, long seq, ConversationPolicy policy, String verb) {
        requireMember(actorId, verb + " messages");
        if (seq < 1 || seq > lastSeq) {
            throw new NotFoundException("there is no message " + seq + " in this conversation");
        }
        if (isTooOldToChange(seq, policy)) {
            throw new InvalidCommandException("message " + seq + " is too old to " + verb + ": only the last "
                    + policy.editWindow() + " messages of a conversation may be changed");
        }
        return seq;
    }

    /** Attachments as the edge checked them, links dropped; at most {@link SendMessage#MAX_ATTACHMENTS}. */
    private static List<Attachment> validAttachments(List<Attachment> attachments) {
        if (attachments.size() > SendMessage.MAX_ATTACHMENTS) {
            throw new InvalidCommandException("a message may carry at most " + SendMessage.MAX_ATTACHMENTS
                    + " attachments, this one has " + attachments.size());
        }
        return attachments.stream().map(Attachment::withoutLinks).toList();
    }

    /** A reply must answer a message of this conversation that exists and (as far as the window knows) is not deleted. */
    private void requireQuotable(long seq) {
        if (seq < 1 || seq > lastSeq) {
            throw new NotFoundException("there is no message " + seq + " in this conversation");
        }
        if (recentMessages.holds(seq) && recentMessages.isDeleted(seq)) {
            throw new NotFoundException("message " + seq + " has been deleted");
        }
    }

    /**
     * The mentioned users who are members now, in the order given, each once, the sender left out. A mention of a
     * non-member is dropped without a word: it neither adds them nor tells the sender whether such a user exists.
     */
    private List<String> mentionedMembers(List<String> mentions, String senderId) {
        if (mentions == null || mentions.isEmpty()) {
            return List.of();
        }
        return mentions.stream().filter(this::isMember).filter(id -> !id.equals(senderId)).distinct()
                .limit(MAX_MENTIONS).toList();
    }

    private long reactableMessage(String userId, long seq) {
        requireMember(userId, "react to messages");
        if (seq < 1 || seq > lastSeq) {
            throw new NotFoundException("there is no message " + seq + " in this conversation");
        }
        if (!recentMessages.holds(seq)) {
            throw new InvalidCommandException("message " + seq + " is too old to react to: only the last "
                    + MessageWindow.CAPACITY + " messages of a conversation take reactions");
        }
        if (recentMessages.isDeleted(seq)) {
            throw new NotFoundException("message " + seq + " has been deleted");
        }
        return seq;
    }

    private static String validEmoji(String emoji) {
        if (!Emoji.isSingleEmoji(emoji)) {
            throw new InvalidCommandException("a reaction must be a single emoji");
        }
        return emoji;
    }

    private static String validText(String text, ConversationPolicy policy) {
        if (text == null || text.isBlank()) {
            throw new InvalidCommandException("a message needs some text");
        }
        int length = text.codePointCount(0, text.length());
        if (length > policy.maxTextLength()) {
            throw new InvalidCommandException("a message may have at most " + policy.maxTextLength()
                    + " characters, this one has " + length);
        }
        return text;
    }

    private static String validGroupName(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidCommandException("a group needs a name");
        }
        String stripped = name.strip();
        if (stripped.codePointCount(0, stripped.length()) > MAX_NAME_LENGTH) {
            throw new InvalidCommandException("a group name may have at most " + MAX_NAME_LENGTH + " characters");
        }
        return stripped;
    }

    private static String validClientMsgId(String clientMsgId) {
        String id = required(clientMsgId, "clientMsgId");
        if (id.length() > MAX_CLIENT_MSG_ID_LENGTH) {
            throw new InvalidCommandException("clientMsgId may have at most " + MAX_CLIENT_MSG_ID_LENGTH
                    + " characters");
        }
        return id;
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidCommandException(field + " is required");
        }
        return value;
    }

    private SendResult resultOf(RecentSend send) {
        return new SendResult(conversationId, send.messageId(), send.seq(), send.sentAt());
    }

    /**
     * Axon's clock, so that test fixtures control time; in milliseconds, the precision every read store keeps
     * (MongoDB dates are milliseconds), so the time in an ack equals the time in history.
     */
    private static Instant now() {
        return GenericEventMessage.clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    // ---------------------------------------------------------------------------------------------------------
    // State

    @EventSourcingHandler
    void on(DirectConversationOpened event) {
        conversationId = event.conversationId();
        type = ConversationType.DIRECT;
        createdBy = event.openedBy();
        event.memberIds().forEach(userId -> join(userId, MemberRole.MEMBER));
    }

    @EventSourcingHandler
    void on(GroupCreated event) {
        conversationId = event.conversationId();
        type = ConversationType.GROUP;
        createdBy = event.ownerId();
        event.members().forEach(member -> join(member.userId(), member.role()));
    }

    @EventSourcingHandler
    void on(MemberAdded event) {
        join(event.userId(), event.role());
    }

    @EventSourcingHandler
    void on(MemberLeft event) {
        members.remove(event.userId());
    }

    @EventSourcingHandler
    void on(MemberRemoved event) {
        members.remove(event.userId());
    }

    @EventSourcingHandler
    void on(MemberRoleChanged event) {
        members.computeIfPresent(event.userId(), (userId, membership) -> membership.withRole(event.role()));
    }

    @EventSourcingHandler
    void on(MessageSent event) {
        lastSeq = event.seq();
        recentMessages.record(event.seq(), event.messageId(), event.senderId());
        reactions.keepOnly(recentMessages::holds);
        if (event.clientMsgId() != null) {
            recentSends.remember(new RecentSend(event.senderId(), event.clientMsgId(), event.messageId(),
                    event.seq(), event.sentAt()));
        }
    }

    @EventSourcingHandler
    void on(ReactionAdded event) {
        reactions.added(event.seq(), event.userId(), event.emoji(), event.reactionVersion());
    }

    @EventSourcingHandler
    void on(ReactionRemoved event) {
        reactions.removed(event.seq(), event.userId(), event.emoji(), event.reactionVersion());
    }

    @EventSourcingHandler
    void on(MessagesDelivered event) {
        members.computeIfPresent(event.userId(), (userId, membership) -> membership.deliveredUpTo(event.upToSeq()));
    }

    @EventSourcingHandler
    void on(MessagesRead event) {
        members.computeIfPresent(event.userId(), (userId, membership) -> membership.readUpTo(event.upToSeq()));
    }

    @EventSourcingHandler
    void on(MessageDeleted event) {
        recentMessages.markDeleted(event.seq());
        reactions.forget(event.seq());
    }

    // MessageEdited changes nothing the aggregate keeps: bodies live in the projections only.

    private void join(String userId, MemberRole role) {
        members.put(userId, Membership.joining(role, ++joinCount));
    }
}
