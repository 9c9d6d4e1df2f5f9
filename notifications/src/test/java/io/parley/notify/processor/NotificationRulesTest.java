package io.parley.notify.processor;

import io.parley.api.conversation.ConversationEvents.GroupCreated;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationEvents.MemberLeft;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.ConversationEvents.MessagesRead;
import io.parley.api.conversation.MemberRole;
import io.parley.api.user.UserEvents.UserRegistered;
import io.parley.notify.NotificationProperties;
import io.parley.notify.NotificationsSchema;
import io.parley.notify.store.NotificationSettings;
import io.parley.notify.store.NotificationSettings.ConversationSettings;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The processor's rules, one test each, on the module's real tables (H2, migrated by Flyway): who gets a pending
 * notification for a message, and what happens to it.
 */
class NotificationRulesTest {

    static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    static final String GROUP = "g-1";

    JdbcTemplate jdbc;
    NotificationSettings settings;
    NotificationProcessor processor;
    NotificationProperties properties;
    long seq;

    @BeforeEach
    void tables() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:rules-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        NotificationsSchema.migrate(dataSource);
        jdbc = new JdbcTemplate(dataSource);
        settings = new NotificationSettings(jdbc);
        properties = new Binder(new MapConfigurationPropertySource(Map.of(
                "parley.notifications.delay", "3s", "parley.notifications.max-delay", "30s")))
                .bind("parley.notifications", Bindable.of(NotificationProperties.class)).get();
        processor = new NotificationProcessor(jdbc, properties, Clock.fixed(NOW, ZoneOffset.UTC));
        processor.on(new UserRegistered("alice", "alice", "Alice", NOW));
        processor.on(new GroupCreated(GROUP, "Team", "alice", List.of(new Member("alice", MemberRole.OWNER),
                new Member("bob", MemberRole.MEMBER), new Member("carol", MemberRole.MEMBER)), NOW));
    }

    @Test
    void everyMemberButTheSenderGetsAPendingNotification() {
        send("alice", NOW, List.of());

        assertThat(pendingFor()).containsExactlyInAnyOrder("bob", "carol");
    }

    @Test
    void aBurstBecomesOneNotificationDueAQuietPeriodAfterItsLastMessage() {
        send("alice", NOW, List.of());
        send("alice", NOW.plusSeconds(2), List.of());
        send("alice", NOW.plusSeconds(4), List.of());

        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM ntf_pending WHERE user_id = 'bob'");
        assertThat(row.get("MESSAGE_COUNT")).isEqualTo(3);
        assertThat(row.get("FIRST_SEQ")).isEqualTo(1L);
        assertThat(row.get("LAST_SEQ")).isEqualTo(3L);
        assertThat(dueOf("bob")).isEqualTo(NOW.plusSeconds(7));
    }

    @Test
    void aConversationThatNeverFallsQuietIsNotifiedAtTheLatestMaxDelayAfterItsFirstMessage() {
        for (int i = 0; i <= 40; i += 2) {
            send("alice", NOW.plusSeconds(i), List.of());
        }

        assertThat(dueOf("bob")).isEqualTo(NOW.plusSeconds(30));
    }

    @Test
    void theSameMessageSeenTwiceCountsOnce() {
        MessageSent sent = send("alice", NOW, List.of());
        send("alice", NOW.plusSeconds(1), List.of());
        processor.on(sent, NOW);

        assertThat(jdbc.queryForObject("SELECT message_count FROM ntf_pending WHERE user_id = 'bob'", Integer.class))
                .isEqualTo(2);
    }

    @Test
    void aMutedConversationNotifiesNobodyWhoMutedIt() {
        settings.saveConversation("bob", GROUP, new ConversationSettings(null, true, false));
        settings.saveConversation("carol", GROUP, new ConversationSettings(NOW.plusSeconds(60), false, false));

        send("alice", NOW, List.of());

        assertThat(pendingFor()).isEmpty();
    }

    @Test
    void aMuteThatHasEndedNoLongerSilences() {
        settings.saveConversation("bob", GROUP, new ConversationSettings(NOW.minusSeconds(1), false, false));

        send("alice", NOW, List.of());

        assertThat(pendingFor()).contains("bob");
    }

    @Test
    void mentionsOnlyLetsOnlyMentionsThroughAlsoWhileMuted() {
        settings.saveConversation("bob", GROUP, new ConversationSettings(null, true, true));
        settings.saveConversation("carol", GROUP, new ConversationSettings(null, false, true));

        send("alice", NOW, List.of());
        assertThat(pendingFor()).as("not mentioned").isEmpty();

        send("alice", NOW.plusSeconds(1), List.of("bob"));
        assertThat(pendingFor()).as("bob mentioned, though muted").containsExactly("bob");
        assertThat(jdbc.queryForObject("SELECT mentioned FROM ntf_pending WHERE user_id = 'bob'", Boolean.class))
                .isTrue();
    }

    @Test
    void readingUpToTheLastMessageCancelsThePendingNotification() {
        send("alice", NOW, List.of());
        send("alice", NOW.plusSeconds(1), List.of());

        processor.on(new MessagesRead(GROUP, "bob", 1, NOW.plusSeconds(2)));
        assertThat(pendingFor()).as("a newer message is still unread").contains("bob");

        processor.on(new MessagesRead(GROUP, "bob", 2, NOW.plusSeconds(2)));
        assertThat(pendingFor()).doesNotContain("bob").contains("carol");
    }

    @Test
    void aMemberWhoLeftIsNotNotified() {
        send("alice", NOW, List.of());
        processor.on(new MemberLeft(GROUP, "carol", NOW));
        send("alice", NOW.plusSeconds(1), List.of());

        assertThat(pendingFor()).containsExactly("bob");
    }

    @Test
    void anOldMessageSeenForTheFirstTimeNotifiesNobody() {
        send("alice", NOW.minus(Duration.ofMinutes(11)), List.of());

        assertThat(pendingFor()).isEmpty();
    }

    @Test
    void thePreviewTextIsKeptOnlyForRecipientsWhoChoseToSeeIt() {
        settings.saveAccount("bob", new NotificationSettings.AccountSettings(true, true));

        send("alice", NOW, List.of());

        assertThat(jdbc.queryForObject("SELECT preview FROM ntf_pending WHERE user_id = 'bob'", String.class))
                .isEqualTo("message 1");
        assertThat(jdbc.queryForObject("SELECT preview FROM ntf_pending WHERE user_id = 'carol'", String.class))
                .isNull();
    }

    private MessageSent send(String sender, Instant at, List<String> mentions) {
        seq++;
        MessageSent sent = new MessageSent(GROUP, "m-" + seq, seq, sender, "c-" + seq, "message " + seq, List.of(), at,
                mentions);
        processor.on(sent, at);
        return sent;
    }

    private List<String> pendingFor() {
        return jdbc.queryForList("SELECT user_id FROM ntf_pending ORDER BY user_id", String.class);
    }

    private Instant dueOf(String user) {
        return jdbc.queryForObject("SELECT due_at FROM ntf_pending WHERE user_id = ?", java.time.OffsetDateTime.class,
                user).toInstant();
    }
}
