package io.parley.notify.processor;

import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.conversation.ConversationEvents.GroupCreated;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationEvents.MemberAdded;
import io.parley.api.conversation.ConversationEvents.MemberLeft;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.ConversationEvents.MessagesRead;
import io.parley.api.conversation.MemberRole;
import io.parley.api.user.UserEvents.UserRegistered;
import io.parley.notify.NotificationProperties;
import io.parley.notify.NotificationsSchema;
import io.parley.notify.TargetAddresses;
import io.parley.notify.TargetKind;
import io.parley.notify.store.DeviceRegistry;
import io.parley.notify.store.NotificationSettings;
import io.parley.notify.store.NotificationSettings.ConversationSettings;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.unitofwork.BatchingUnitOfWork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The processor's rules, one test each, on the module's real tables (migrated by Flyway; H2 and PostgreSQL
 * subclasses): who gets a pending notification for a message, and what happens to it; and the outbox's SQL.
 */
abstract class NotificationRulesTest {

    static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    static final String GROUP = "g-1";

    JdbcTemplate jdbc;
    NotificationSettings settings;
    NotificationProcessor processor;
    NotificationProperties properties;
    long seq;

    /** A fresh, empty database for each test. */
    abstract javax.sql.DataSource dataSource();

    @BeforeEach
    void tables() {
        javax.sql.DataSource dataSource = dataSource();
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
        for (String user : List.of("alice", "bob", "carol")) {
            registry().register(user, TargetKind.WEBHOOK, "https://a.example.org/h", null, null, null);
        }
    }

    DeviceRegistry registry() {
        return new DeviceRegistry(jdbc, new TransactionTemplate(new DataSourceTransactionManager(jdbc.getDataSource())),
                EnumSet.of(TargetKind.WEBHOOK), false, new TargetAddresses(false), 20);
    }

    @Test
    void everyMemberButTheSenderGetsAPendingNotification() {
        send("alice", NOW, List.of());

        assertThat(pendingFor()).containsExactlyInAnyOrder("bob", "carol");
    }

    @Test
    void aMemberWithoutAPushTargetGetsNoPendingNotificationUntilTheyRegisterOne() {
        processor.on(new MemberAdded(GROUP, "dave", MemberRole.MEMBER, "alice", NOW));

        send("alice", NOW, List.of());
        assertThat(pendingFor()).containsExactlyInAnyOrder("bob", "carol");

        registry().register("dave", TargetKind.WEBHOOK, "https://d.example.org/h", null, null, null);
        send("alice", NOW.plusSeconds(1), List.of());
        assertThat(pendingFor()).containsExactlyInAnyOrder("bob", "carol", "dave");
        assertThat(jdbc.queryForObject("SELECT first_seq FROM ntf_pending WHERE user_id = 'dave'", Long.class))
                .as("from the first message after the target").isEqualTo(2L);
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

    /**
     * Issue 19, item 1: a preview holds the sender's words, so at rest (pending row, outbox row, dead letter) it is
     * sealed under the sender's erasure key; it is opened only to be sent, and once the sender is erased a waiting
     * delivery that holds their words is dropped unsent.
     */
    @Test
    void previewTextIsSealedUnderTheSendersKeyAtRestAndAnErasedSendersPreviewIsNeverSent() {
        io.parley.eventstore.erasure.ErasureKeys keys = new io.parley.eventstore.erasure.ErasureKeys(
                jdbc.getDataSource(), java.time.Duration.ofSeconds(30));
        io.parley.eventstore.erasure.TextSeal seal = new io.parley.eventstore.erasure.TextSeal(keys);
        NotificationProperties quiet = new Binder(new MapConfigurationPropertySource(Map.of(
                "parley.notifications.delay", "3s", "parley.notifications.poll-interval", "1h")))
                .bind("parley.notifications", Bindable.of(NotificationProperties.class)).get();
        NotificationProcessor sealing = new NotificationProcessor(jdbc, quiet, Clock.fixed(NOW, ZoneOffset.UTC), seal);
        org.springframework.transaction.support.TransactionTemplate tx =
                new org.springframework.transaction.support.TransactionTemplate(
                        new org.springframework.jdbc.datasource.DataSourceTransactionManager(jdbc.getDataSource()));
        io.parley.notify.store.DeviceRegistry registry = new io.parley.notify.store.DeviceRegistry(jdbc, tx,
                java.util.EnumSet.of(io.parley.notify.TargetKind.WEBHOOK), false,
                new io.parley.notify.TargetAddresses(false), 20);
        io.parley.notify.store.DeliveryStore deliveries = new io.parley.notify.store.DeliveryStore(jdbc);
        registry.eraseUser("carol"); // bob alone has a target: every send below is his
        settings.saveAccount("bob", new NotificationSettings.AccountSettings(true, true));
        List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.parley.notify.sender.PushSender recorder = new io.parley.notify.sender.PushSender() {
            @Override
            public io.parley.notify.TargetKind kind() {
                return io.parley.notify.TargetKind.WEBHOOK;
            }

            @Override
            public java.util.concurrent.CompletableFuture<io.parley.notify.sender.SendOutcome> send(
                    io.parley.notify.PushTarget target, io.parley.notify.sender.OutgoingNotification notification) {
                sent.add(notification.payload());
                return java.util.concurrent.CompletableFuture.completedFuture(
                        new io.parley.notify.sender.SendOutcome.Delivered());
            }
        };
        NotificationDispatcher dispatcher = new NotificationDispatcher(jdbc, tx, registry, settings, deliveries,
                user -> false, List.of(recorder), quiet, Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC), seal);
        String word = "pvw" + java.util.UUID.randomUUID().toString().substring(0, 8);

        sealing.on(new MessageSent(GROUP, "m-s1", 1, "alice", "c-s1", "the plan is " + word, List.of(), NOW,
                List.of(), null), NOW);
        assertThat(jdbc.queryForObject("SELECT preview FROM ntf_pending WHERE user_id = 'bob'", String.class))
                .startsWith("enc:v1:").doesNotContain(word);
        dispatcher.promoteDue();
        assertThat(jdbc.queryForList("SELECT payload FROM ntf_deliveries WHERE user_id = 'bob'", String.class))
                .singleElement().satisfies(p -> assertThat(p).startsWith("enc:v1:").doesNotContain(word));
        dispatcher.start();
        try {
            dispatcher.sendDue();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> sent.size() == 1);
            assertThat(sent.get(0)).as("opened to be sent").contains("\"text\":\"the plan is " + word + "\"");

            sealing.on(new MessageSent(GROUP, "m-s2", 2, "alice", "c-s2", "more of " + word, List.of(), NOW,
                    List.of(), null), NOW);
            dispatcher.promoteDue();
            assertThat(deliveries.waiting()).isEqualTo(1);
            keys.erase("alice");
            dispatcher.sendDue();
            assertThat(deliveries.waiting()).as("dropped, not sent").isZero();
            assertThat(sent).hasSize(1);
        } finally {
            dispatcher.stop();
        }
    }

    @Test
    void aDueNotificationBecomesOneDeliveryPerTargetWhichIsRetriedDeadLetteredAndRetriedByAnOperator() {
        org.springframework.transaction.support.TransactionTemplate tx =
                new org.springframework.transaction.support.TransactionTemplate(
                        new org.springframework.jdbc.datasource.DataSourceTransactionManager(jdbc.getDataSource()));
        io.parley.notify.store.DeviceRegistry registry = new io.parley.notify.store.DeviceRegistry(jdbc, tx,
                java.util.EnumSet.of(io.parley.notify.TargetKind.WEBHOOK), false,
                new io.parley.notify.TargetAddresses(false), 20);
        io.parley.notify.store.DeliveryStore deliveries = new io.parley.notify.store.DeliveryStore(jdbc);
        String first = registry.register("bob", io.parley.notify.TargetKind.WEBHOOK, "https://a.example.org/h", null,
                null, null).targetId();
        registry.register("bob", io.parley.notify.TargetKind.WEBHOOK, "https://b.example.org/h", null, null, null);

        assertThat(deliveries.enqueueForTargetsOf("bob", "n1", GROUP, "{}", NOW)).isEqualTo(2);
        List<io.parley.notify.store.DeliveryStore.Delivery> due = deliveries.due(NOW, 10);
        assertThat(due).hasSize(2).allSatisfy(d -> assertThat(d.target().secret()).isNotBlank());
        String id = due.stream().filter(d -> d.targetId().equals(first)).findFirst().orElseThrow().deliveryId();
        assertThat(id).isEqualTo("n1:" + first);

        assertThat(deliveries.claim(id, NOW, NOW.plusSeconds(20))).isTrue();
        assertThat(deliveries.claim(id, NOW, NOW.plusSeconds(20))).as("claimed once").isFalse();
        deliveries.retryLater(id, 1, NOW.plusSeconds(5), "HTTP 500");
        assertThat(deliveries.due(NOW, 10)).extracting(io.parley.notify.store.DeliveryStore.Delivery::deliveryId)
                .doesNotContain(id);
        assertThat(deliveries.due(NOW.plusSeconds(5), 10)).extracting(d -> d.attempts()).contains(1);

        deliveries.deadLetter(id, 5, "HTTP 500", NOW.plusSeconds(6));
        assertThat(deliveries.deadLetters(10)).singleElement()
                .satisfies(dead -> assertThat(dead.lastError()).isEqualTo("HTTP 500"));
        assertThat(deliveries.retryDead(id, NOW.plusSeconds(7))).isTrue();
        assertThat(deliveries.deadLetters(10)).isEmpty();
        assertThat(deliveries.due(NOW.plusSeconds(7), 10)).extracting(d -> d.attempts()).containsOnly(0);

        registry.removeGone(first);
        assertThat(deliveries.due(NOW.plusSeconds(7), 10)).hasSize(1);
        assertThat(registry.eraseUser("bob")).isEqualTo(1);
        assertThat(deliveries.waiting()).isZero();
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aPendingNotificationTheProcessorIsChangingWaitsForTheNextTickWhileTheOthersGoOut() throws Exception {
        send("alice", NOW, List.of());
        NotificationDispatcher dispatcher = new NotificationDispatcher(jdbc,
                new org.springframework.transaction.support.TransactionTemplate(
                        new org.springframework.jdbc.datasource.DataSourceTransactionManager(jdbc.getDataSource())),
                null, settings, new io.parley.notify.store.DeliveryStore(jdbc), userId -> false, List.of(),
                properties, Clock.fixed(NOW.plusSeconds(10), ZoneOffset.UTC));

        try (java.sql.Connection processorBatch = jdbc.getDataSource().getConnection()) {
            processorBatch.setAutoCommit(false);
            try (java.sql.Statement statement = processorBatch.createStatement()) {
                statement.executeUpdate("UPDATE ntf_pending SET message_count = message_count WHERE user_id = 'bob'");
            }
            dispatcher.promoteDue();
            assertThat(pendingFor()).as("carol's went out; bob's is held by the open batch").containsExactly("bob");
            processorBatch.commit();
        }
        dispatcher.promoteDue();
        assertThat(pendingFor()).isEmpty();
    }

    @Test
    void inABatchOnlyConversationsWithATargetedMemberNotifyAndOneWhoJoinsWithATargetMidBatchIsNotified() {
        processor.on(new DirectConversationOpened("d-1", List.of("dave", "erin"), "dave", NOW));
        processor.on(new DirectConversationOpened("d-2", List.of("frank", "gina"), "frank", NOW));
        registry().register("hank", TargetKind.WEBHOOK, "https://h.example.org/h", null, null, null);
        List<Object> events = new ArrayList<>();
        for (int i = 1; i <= 2 * NotificationProcessor.CONVERSATIONS_PER_QUERY; i++) {
            // more conversations than one statement asks about, none with a target
            String quiet = "q-" + i;
            processor.on(new DirectConversationOpened(quiet, List.of("quiet-a-" + i, "quiet-b-" + i), "x", NOW));
            events.add(sentIn(quiet, 1, "quiet-a-" + i));
        }
        events.add(sentIn("d-1", 1, "dave"));
        events.add(sentIn(GROUP, 1, "alice"));
        events.add(new MemberAdded("d-2", "hank", MemberRole.MEMBER, "frank", NOW));
        events.add(sentIn("d-2", 1, "frank"));

        List<String> membersAskedOf = new ArrayList<>();
        JdbcTemplate counting = new JdbcTemplate(jdbc.getDataSource()) {
            @Override
            public void query(String sql, RowCallbackHandler rch, Object... args) {
                if (sql.startsWith("SELECT m.user_id")) { // the members' query of one message
                    membersAskedOf.add((String) args[0]);
                }
                super.query(sql, rch, args);
            }
        };
        NotificationProcessor batched =
                new NotificationProcessor(counting, properties, Clock.fixed(NOW, ZoneOffset.UTC));

        BatchingUnitOfWork<EventMessage<?>> batch = new BatchingUnitOfWork<>(
                events.stream().<EventMessage<?>>map(GenericEventMessage::asEventMessage).toList());
        batch.execute(() -> {
            Object event = batch.getMessage().getPayload();
            if (event instanceof MessageSent sent) {
                batched.on(sent, NOW);
            } else {
                batched.on((MemberAdded) event);
            }
        });

        assertThat(jdbc.queryForList("SELECT conversation_id || '/' || user_id FROM ntf_pending"
                + " ORDER BY conversation_id, user_id", String.class))
                .containsExactly("d-2/hank", GROUP + "/bob", GROUP + "/carol");
        assertThat(membersAskedOf).as("only where a member has a target").containsExactly(GROUP, "d-2");
    }

    private static MessageSent sentIn(String conversationId, long seq, String sender) {
        return new MessageSent(conversationId, conversationId + "-m-" + seq, seq, sender, "c-" + seq, "message",
                List.of(), NOW, List.of(), null);
    }

    private MessageSent send(String sender, Instant at, List<String> mentions) {
        seq++;
        MessageSent sent = new MessageSent(GROUP, "m-" + seq, seq, sender, "c-" + seq, "message " + seq, List.of(), at,
                mentions, null);
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
