package io.parley.notify.processor;

import io.parley.eventstore.erasure.TextSeal;
import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.conversation.ConversationEvents.GroupCreated;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationEvents.MemberAdded;
import io.parley.api.conversation.ConversationEvents.MemberLeft;
import io.parley.api.conversation.ConversationEvents.MemberRemoved;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.ConversationEvents.MessagesRead;
import io.parley.api.user.UserEvents.DisplayNameChanged;
import io.parley.api.user.UserEvents.UserRegistered;
import io.parley.notify.NotificationProperties;
import io.parley.notify.store.NotificationSettings.ConversationSettings;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.unitofwork.BatchingUnitOfWork;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;

import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The notification processor: a named streaming event processor ({@value #PROCESSING_GROUP}) with its own tracking
 * token. It decides who is to be notified of a message and remembers it as a pending notification per recipient and
 * conversation ({@code ntf_pending}), due a quiet period ({@code delay}) after the last message of a burst, and at most
 * {@code max-delay} after its first; later messages join the pending one (one notification for a burst), a read up to
 * its last message cancels it. The
 * {@link NotificationDispatcher} sends what is due.
 * <p>
 * Every write goes through the processor's transaction, the one that also stores its token (same database in
 * standalone and on PostgreSQL): after a restart it resumes where that transaction left off, so a message neither
 * notifies twice nor is missed. It also keeps what it needs from other events: members, group names, display names.
 * <p>
 * Rules: the sender is never notified; a member without a push target is not either (there is nothing to send to;
 * a target registered later notifies of the messages after it); a recipient's mute is respected unless they asked for
 * mentions only and were mentioned ({@link ConversationSettings#notifies}); a message older than {@code max-age} when
 * first seen notifies nobody, so a fresh processor walking old history stays quiet.
 */
@ProcessingGroup(NotificationProcessor.PROCESSING_GROUP)
public class NotificationProcessor {

    public static final String PROCESSING_GROUP = "notification-processor";

    private static final Logger log = LoggerFactory.getLogger(NotificationProcessor.class);

    /** Characters of message text a preview keeps. */
    static final int PREVIEW = 200;

    /** Conversations one statement asks about ({@link #conversationsWithoutTargets}); a shorter list is padded. */
    static final int CONVERSATIONS_PER_QUERY = 50;

    private static final String WITHOUT_TARGETS =
            NotificationProcessor.class.getName() + ".conversationsWithoutTargets";

    private static final String CONVERSATIONS_WITH_TARGETS = "SELECT DISTINCT m.conversation_id FROM ntf_members m"
            + " WHERE m.conversation_id IN (" + String.join(", ", Collections.nCopies(CONVERSATIONS_PER_QUERY, "?"))
            + ") AND EXISTS (SELECT 1 FROM ntf_targets t WHERE t.user_id = m.user_id)";

    private final JdbcTemplate jdbc;
    private final NotificationProperties properties;
    private final Clock clock;

    private final TextSeal seal;

    public NotificationProcessor(JdbcTemplate jdbc, NotificationProperties properties, Clock clock) {
        this(jdbc, properties, clock, null);
    }

    /**
     * @param seal seals the preview text under its sender's erasure key (null: erasure is off, kept as it is), so an
     *             erased sender's preview is unreadable in every file that held it
     */
    public NotificationProcessor(JdbcTemplate jdbc, NotificationProperties properties, Clock clock, TextSeal seal) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
        this.seal = seal;
    }

    /**
     * What a pending notification's sealed preview is bound to (the associated data of the seal): the message it is
     * the preview of, so it is sealed once for every recipient who wants previews.
     */
    static String previewContext(String conversationId, String messageId) {
        return "ntf-preview:" + conversationId + "/" + messageId;
    }

    @EventHandler
    public void on(UserRegistered e) {
        upsertUser(e.userId(), e.displayName());
    }

    @EventHandler
    public void on(DisplayNameChanged e) {
        upsertUser(e.userId(), e.displayName());
    }

    @EventHandler
    public void on(DirectConversationOpened e) {
        conversation(e.conversationId(), "direct", null);
        e.memberIds().forEach(user -> addMember(e.conversationId(), user));
    }

    @EventHandler
    public void on(GroupCreated e) {
        conversation(e.conversationId(), "group", e.name());
        addMember(e.conversationId(), e.ownerId());
        for (Member member : e.members()) {
            addMember(e.conversationId(), member.userId());
        }
    }

    @EventHandler
    public void on(MemberAdded e) {
        addMember(e.conversationId(), e.userId());
    }

    @EventHandler
    public void on(MemberLeft e) {
        removeMember(e.conversationId(), e.userId());
    }

    @EventHandler
    public void on(MemberRemoved e) {
        removeMember(e.conversationId(), e.userId());
    }

    @EventHandler
    public void on(MessageSent e, @Timestamp Instant timestamp) {
        Instant sentAt = e.sentAt() != null ? e.sentAt() : timestamp;
        if (sentAt.isBefore(clock.instant().minus(properties.maxAge()))) {
            return;
        }
        String conversationId = e.conversationId();
        if (withoutTargets().contains(conversationId)) {
            return;
        }
        // members with their mute settings, preview choice and pending notification in one read (the pending one was
        // a statement per recipient before, and the settings three per message); a member without a push target has
        // nothing to be notified on, so no pending notification is kept for them (docs/decisions.md)
        List<String> members = new ArrayList<>();
        Map<String, ConversationSettings> settings = new HashMap<>();
        Set<String> previews = new HashSet<>();
        Map<String, OffsetDateTime> pendingSince = new HashMap<>();
        jdbc.query("SELECT m.user_id, c.muted_until, c.muted_forever, c.mentions_only, a.show_preview, p.first_at"
                + " FROM ntf_members m"
                + " LEFT JOIN ntf_conversation_settings c ON c.conversation_id = m.conversation_id AND c.user_id = m.user_id"
                + " LEFT JOIN ntf_account_settings a ON a.user_id = m.user_id"
                + " LEFT JOIN ntf_pending p ON p.user_id = m.user_id AND p.conversation_id = m.conversation_id"
                + " WHERE m.conversation_id = ?"
                + " AND EXISTS (SELECT 1 FROM ntf_targets t WHERE t.user_id = m.user_id)", rs -> {
            String userId = rs.getString(1);
            members.add(userId);
            OffsetDateTime until = rs.getObject(2, OffsetDateTime.class);
            boolean mutedForever = rs.getBoolean(3);
            boolean mentionsOnly = rs.getBoolean(4);
            if (until != null || mutedForever || mentionsOnly) {
                settings.put(userId, new ConversationSettings(until == null ? null : until.toInstant(), mutedForever,
                        mentionsOnly));
            }
            if (rs.getBoolean(5)) {
                previews.add(userId);
            }
            OffsetDateTime firstAt = rs.getObject(6, OffsetDateTime.class);
            if (firstAt != null) {
                pendingSince.put(userId, firstAt);
            }
        }, conversationId);
        if (members.isEmpty() || members.size() == 1 && members.get(0).equals(e.senderId())) {
            return;
        }
        Set<String> mentions = e.mentions() == null ? Set.of() : Set.copyOf(e.mentions());
        String text = e.text() == null ? null
                : e.text().length() <= PREVIEW ? e.text() : e.text().substring(0, PREVIEW - 1) + "…";
        String storedPreview = text == null || seal == null || previews.isEmpty() ? text
                : seal.seal(e.senderId(), previewContext(conversationId, e.messageId()), text);
        SqlParameterValue due = time(sentAt.plus(properties.delay()));
        for (String recipient : members) {
            if (recipient.equals(e.senderId())) {
                continue;
            }
            boolean mentioned = mentions.contains(recipient);
            if (!settings.getOrDefault(recipient, ConversationSettings.DEFAULT).notifies(mentioned, sentAt)) {
                continue;
            }
            // the preview text is stored only for recipients who chose to see it
            String preview = previews.contains(recipient) ? storedPreview : null;
            OffsetDateTime firstAt = pendingSince.get(recipient);
            if (firstAt == null) {
                insertPending(recipient, e, preview, mentioned, sentAt, due);
                continue;
            }
            Instant latest = firstAt.toInstant().plus(properties.maxDelay());
            Instant quiet = sentAt.plus(properties.delay());
            // guarded by seq: a message seen again (a replay) does not count twice
            int joined = jdbc.update("UPDATE ntf_pending SET sender_id = ?, message_id = ?, last_seq = ?,"
                            + " message_count = message_count + 1, preview = ?, mentioned = (mentioned OR ?),"
                            + " due_at = ? WHERE user_id = ? AND conversation_id = ? AND last_seq < ?",
                    e.senderId(), e.messageId(), e.seq(), preview, mentioned,
                    time(quiet.isBefore(latest) ? quiet : latest), recipient, conversationId, e.seq());
            if (joined == 0 && jdbc.queryForList("SELECT last_seq FROM ntf_pending WHERE user_id = ?"
                    + " AND conversation_id = ?", Long.class, recipient, conversationId).isEmpty()) {
                // the dispatcher sent (or dropped) the pending one since it was read above: this message starts anew
                insertPending(recipient, e, preview, mentioned, sentAt, due);
            }
        }
    }

    private void insertPending(String recipient, MessageSent e, String preview, boolean mentioned, Instant sentAt,
                               SqlParameterValue due) {
        jdbc.update("INSERT INTO ntf_pending (user_id, conversation_id, sender_id, message_id, first_seq, last_seq,"
                        + " message_count, preview, mentioned, first_at, due_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
                recipient, e.conversationId(), e.senderId(), e.messageId(), e.seq(), e.seq(), preview, mentioned,
                time(sentAt), due);
    }

    /** Reading up to the last message of a pending notification (on any device) cancels it. */
    @EventHandler
    public void on(MessagesRead e) {
        jdbc.update("DELETE FROM ntf_pending WHERE user_id = ? AND conversation_id = ? AND last_seq <= ?",
                e.userId(), e.conversationId(), e.upToSeq());
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM ntf_members");
        jdbc.update("DELETE FROM ntf_conversations");
        jdbc.update("DELETE FROM ntf_users");
        jdbc.update("DELETE FROM ntf_pending");
    }

    private void upsertUser(String userId, String displayName) {
        if (jdbc.update("UPDATE ntf_users SET display_name = ? WHERE user_id = ?", displayName, userId) == 0) {
            jdbc.update("INSERT INTO ntf_users (user_id, display_name) VALUES (?, ?)", userId, displayName);
        }
    }

    private void conversation(String conversationId, String kind, String name) {
        if (jdbc.update("UPDATE ntf_conversations SET kind = ?, name = ? WHERE conversation_id = ?", kind, name,
                conversationId) == 0) {
            jdbc.update("INSERT INTO ntf_conversations (conversation_id, kind, name) VALUES (?, ?, ?)", conversationId,
                    kind, name);
        }
    }

    /**
     * The conversations of this batch's messages where no member had a push target when the batch's first message was
     * handled, asked with one statement per {@value #CONVERSATIONS_PER_QUERY} conversations instead of the members'
     * query for every message: a message there notifies nobody. Issue 17 (docs/benchmark.md, twenty-sixth stop): that
     * query was 2% of the server's CPU at 5,000 msg/s in conversations without targets. A member who joins later in
     * the batch takes their conversation off the set ({@link #addMember}); a target registered while the batch runs
     * counts from the next batch, as one registered after the message would. Outside Axon's batching unit of work (one
     * event), or when the batch's messages or the question fail: empty, and every message asks as before.
     */
    private Set<String> withoutTargets() {
        if (!CurrentUnitOfWork.isStarted() || !(CurrentUnitOfWork.get() instanceof BatchingUnitOfWork<?> batch)) {
            return Set.of();
        }
        return batch.getOrComputeResource(WITHOUT_TARGETS, key -> conversationsWithoutTargets(batch.getMessages()));
    }

    private Set<String> conversationsWithoutTargets(List<? extends Message<?>> batch) {
        try {
            List<String> conversations = batch.stream().filter(m -> MessageSent.class.equals(m.getPayloadType()))
                    .map(m -> ((MessageSent) m.getPayload()).conversationId()).distinct().toList();
            if (conversations.size() < 2) {
                return new HashSet<>(); // the members' query of the one message answers as well
            }
            Set<String> without = new HashSet<>(conversations);
            for (int from = 0; from < conversations.size(); from += CONVERSATIONS_PER_QUERY) {
                // padded with its last id, so that every chunk runs the same statement (parsed once per connection)
                Object[] ids = new Object[CONVERSATIONS_PER_QUERY];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = conversations.get(Math.min(from + i, conversations.size() - 1));
                }
                jdbc.query(CONVERSATIONS_WITH_TARGETS, rs -> {
                    without.remove(rs.getString(1));
                }, ids);
            }
            return without;
        } catch (RuntimeException e) {
            // a payload that cannot be read, or a failed query: each message asks for itself (and fails alone)
            log.debug("conversations without push targets not known for this batch", e);
            return new HashSet<>();
        }
    }

    private void addMember(String conversationId, String userId) {
        if (CurrentUnitOfWork.isStarted()) {
            Set<String> without = CurrentUnitOfWork.get().getResource(WITHOUT_TARGETS);
            if (without != null) {
                without.remove(conversationId);
            }
        }
        Integer present = jdbc.queryForObject("SELECT COUNT(*) FROM ntf_members WHERE conversation_id = ? AND user_id = ?",
                Integer.class, conversationId, userId);
        if (present == null || present == 0) {
            jdbc.update("INSERT INTO ntf_members (conversation_id, user_id) VALUES (?, ?)", conversationId, userId);
        }
    }

    private void removeMember(String conversationId, String userId) {
        jdbc.update("DELETE FROM ntf_members WHERE conversation_id = ? AND user_id = ?", conversationId, userId);
        jdbc.update("DELETE FROM ntf_pending WHERE conversation_id = ? AND user_id = ?", conversationId, userId);
    }

    private static SqlParameterValue time(Instant instant) {
        return new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
    }
}
