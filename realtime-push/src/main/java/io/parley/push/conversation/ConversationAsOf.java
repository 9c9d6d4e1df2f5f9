package io.parley.push.conversation;

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
import io.parley.api.media.Attachment;
import io.parley.api.conversation.MemberRole;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A conversation as it stood at a point in time, folded from its events in order: audit time travel, and the history a
 * {@code sync} reads from the event store when the read model cannot answer.
 */
public final class ConversationAsOf {

    /** A message as it read at that time; {@code text} is null when deleted by then or erased since. */
    public record MessageAsOf(String messageId, long seq, String senderId, String text, Instant sentAt, Instant editedAt,
                       boolean deleted, Instant deletedAt, boolean erased, List<Attachment> attachments) {
    }

    public record State(String conversationId, Instant asOf, String type, String name, long version, List<Member> members,
                 List<MessageAsOf> messages) {
    }

    private final String conversationId;
    private String type;
    private String name;
    private long version = -1;
    private final Map<String, MemberRole> members = new LinkedHashMap<>();
    private final Map<Long, MessageAsOf> messages = new TreeMap<>();

    public ConversationAsOf(String conversationId) {
        this.conversationId = conversationId;
    }

    public boolean isEmpty() {
        return version < 0;
    }

    /** Applies one event; {@code erased} says the stored text can no longer be decrypted. */
    public void apply(long sequence, Object event, boolean erased) {
        version = sequence;
        if (event instanceof DirectConversationOpened e) {
            type = "direct";
            e.memberIds().forEach(id -> members.put(id, MemberRole.MEMBER));
        } else if (event instanceof GroupCreated e) {
            type = "group";
            name = e.name();
            e.members().forEach(m -> members.put(m.userId(), m.role()));
        } else if (event instanceof MemberAdded e) {
            members.put(e.userId(), e.role());
        } else if (event instanceof MemberLeft e) {
            members.remove(e.userId());
        } else if (event instanceof MemberRemoved e) {
            members.remove(e.userId());
        } else if (event instanceof MemberRoleChanged e) {
            members.put(e.userId(), e.role());
        } else if (event instanceof MessageSent e) {
            messages.put(e.seq(), new MessageAsOf(e.messageId(), e.seq(), e.senderId(), e.text(), e.sentAt(), null,
                    false, null, erased, e.attachments() == null ? List.of() : e.attachments()));
        } else if (event instanceof MessageEdited e) {
            messages.computeIfPresent(e.seq(), (seq, m) -> new MessageAsOf(m.messageId(), seq, m.senderId(),
                    e.text(), m.sentAt(), e.editedAt(), m.deleted(), m.deletedAt(), m.erased() || erased,
                    m.attachments()));
        } else if (event instanceof MessageDeleted e) {
            messages.computeIfPresent(e.seq(), (seq, m) -> new MessageAsOf(m.messageId(), seq, m.senderId(), null,
                    m.sentAt(), m.editedAt(), true, e.deletedAt(), m.erased(), List.of()));
        }
    }

    public State state(Instant asOf) {
        List<Member> memberList = new ArrayList<>();
        members.forEach((id, role) -> memberList.add(new Member(id, role)));
        return new State(conversationId, asOf, type, name, version, memberList, new ArrayList<>(messages.values()));
    }
}
