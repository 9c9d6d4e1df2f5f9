package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.notify.processor.NotificationDispatcher;
import io.parley.notify.processor.NotificationProcessor;
import io.parley.notify.sender.OutgoingNotification;
import io.parley.notify.store.DeviceRegistry;
import io.parley.notify.testing.PushReceiver;
import io.parley.notify.testing.PushReceiver.Received;
import io.parley.notify.testing.PushReceiver.WebPushEndpoint;
import io.parley.notify.testing.PushReceiver.WebhookEndpoint;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.parley.standalone.ParleyClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The notification story on a booted Parley, with a push service and a webhook receiver on 127.0.0.1 that decrypt
 * and check what arrives ({@link PushReceiver}): a member who is not connected gets one notification per burst, after
 * the delay; connected, muted, or having read meanwhile, none; a restart of the processor neither repeats nor misses;
 * a target the push service calls gone is removed; a failing webhook is retried with backoff, dead-lettered, and sent
 * again by an operator.
 */
class NotificationStoryTest {

    static final Duration DELAY = Duration.ofSeconds(3);
    static final long BACKOFF_BASE_MS = 300;
    static final String OPERATOR = "ops_" + UUID.randomUUID().toString().substring(0, 8);

    static Path dataDir;
    static RunningParley parley;
    static PushReceiver receiver;

    @BeforeAll
    static void boot() throws Exception {
        dataDir = Files.createTempDirectory("parley-notify-story");
        receiver = new PushReceiver();
        parley = RunningParley.start(dataDir,
                "parley.notifications.delay=" + DELAY.toMillis() + "ms",
                "parley.notifications.poll-interval=100ms",
                "parley.notifications.allow-plain-http=true",
                "parley.notifications.allow-private-addresses=true",
                "parley.notifications.backoff-base=" + BACKOFF_BASE_MS + "ms",
                "parley.notifications.max-attempts=5",
                "parley.notifications.request-timeout=5s",
                "parley.roles.admins=" + OPERATOR);
    }

    @AfterAll
    static void stop() {
        parley.close();
        receiver.close();
    }

    @AfterEach
    void everythingThatArrivedWasCorrectlyEncryptedAndSigned() {
        assertThat(receiver.problems()).isEmpty();
    }

    @Test
    void aBurstOfTwentyMessagesToAnOfflineMemberIsOneNotificationAfterTheDelay() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        WebPushEndpoint browser = subscribe(bob);

        Instant firstSent = Instant.now();
        for (int i = 1; i <= 20; i++) {
            send(alice, conversation, "message " + i);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> !browser.accepted().isEmpty());
        awaitNothingLeftFor(bob);
        List<Received> got = browser.accepted();
        assertThat(got).as("one notification for the burst").hasSize(1);
        JsonNode payload = got.get(0).payload();
        assertThat(payload.get("conversationId").asText()).isEqualTo(conversation);
        assertThat(payload.get("count").asInt()).isEqualTo(20);
        assertThat(payload.get("firstSeq").asLong()).isEqualTo(1);
        assertThat(payload.get("lastSeq").asLong()).isEqualTo(20);
        assertThat(payload.get("title").asText()).as("the sender's name, shown by default").isEqualTo("alice");
        assertThat(payload.get("body").asText()).isEqualTo("20 new messages");
        assertThat(payload.has("text")).as("no preview text by default").isFalse();
        assertThat(got.get(0).header("Topic")).as("collapses per conversation")
                .isEqualTo(new OutgoingNotification("-", conversation, "{}").topic());
        assertThat(got.get(0).at()).as("not before the delay").isAfterOrEqualTo(firstSent.plus(DELAY));
    }

    @Test
    void theSenderIsNeverNotifiedAndThePreviewShowsTextOnlyWhenTheRecipientAskedForIt() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        WebPushEndpoint alicesBrowser = subscribe(alice);
        WebPushEndpoint bobsBrowser = subscribe(bob);
        assertThat(bob.call("PUT", "/api/notification-settings", json("showPreview", true)).body()
                .get("showSender").asBoolean()).isTrue();

        send(alice, conversation, "lunch at noon?");

        await().atMost(Duration.ofSeconds(30)).until(() -> !bobsBrowser.accepted().isEmpty());
        awaitNothingLeftFor(bob);
        JsonNode payload = bobsBrowser.accepted().get(0).payload();
        assertThat(payload.get("text").asText()).isEqualTo("lunch at noon?");
        assertThat(payload.get("body").asText()).isEqualTo("lunch at noon?");
        assertThat(alicesBrowser.received()).as("the sender").isEmpty();
    }

    @Test
    void aMemberWithASocketOpenGetsNoNotification() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        WebPushEndpoint browser = subscribe(bob);
        NotificationDispatcher dispatcher = parley.bean(NotificationDispatcher.class);

        try (SocketClient socket = bob.connect(parley)) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> alice.call("GET", "/api/users/" + bob.userId, null).body().get("online").asBoolean());
            long suppressedBefore = dispatcher.suppressedOnlineCount();
            send(alice, conversation, "you are here");
            socket.await(SocketClient.type("message"));
            await().atMost(Duration.ofSeconds(30)).until(() -> dispatcher.suppressedOnlineCount() > suppressedBefore);
            awaitNothingLeftFor(bob);
        }
        assertThat(browser.received()).isEmpty();
    }

    @Test
    void aMutedConversationStaysSilentWhileOthersStillNotify() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        ParleyClient carol = ParleyClient.signUp(parley, "carol");
        String muted = alice.openDirectWith(bob);
        String other = carol.openDirectWith(bob);
        WebPushEndpoint browser = subscribe(bob);

        assertThat(carol.call("PUT", "/api/conversations/" + muted + "/notification-settings",
                json("mutedForever", true)).status()).as("only members set a conversation's settings").isEqualTo(403);
        JsonNode settings = bob.call("PUT", "/api/conversations/" + muted + "/notification-settings",
                json("mutedForever", true)).body();
        assertThat(settings.get("muted").asBoolean()).isTrue();

        send(alice, muted, "shh");
        send(carol, other, "hello from carol");

        await().atMost(Duration.ofSeconds(30)).until(() -> !browser.accepted().isEmpty());
        awaitNothingLeftFor(bob);
        assertThat(browser.accepted()).extracting(r -> r.payload().get("conversationId").asText())
                .containsExactly(other);
    }

    @Test
    void readingOnAnotherDeviceWithinTheDelayCancelsTheNotification() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        ParleyClient carol = ParleyClient.signUp(parley, "carol");
        String read = alice.openDirectWith(bob);
        String other = carol.openDirectWith(bob);
        WebPushEndpoint browser = subscribe(bob);

        send(alice, read, "are you there?");
        assertThat(bob.call("POST", "/api/conversations/" + read + "/read", json("upToSeq", 1)).status())
                .isEqualTo(204);
        send(carol, other, "and me?");

        await().atMost(Duration.ofSeconds(30)).until(() -> !browser.accepted().isEmpty());
        awaitNothingLeftFor(bob);
        assertThat(browser.accepted()).extracting(r -> r.payload().get("conversationId").asText())
                .containsExactly(other);
    }

    @Test
    void aRestartOfTheProcessorMidBurstNeitherRepeatsNorMissesAMessage() throws Exception {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        WebPushEndpoint browser = subscribe(bob);
        StreamingEventProcessor processor = parley.bean(EventProcessingConfiguration.class)
                .eventProcessor(NotificationProcessor.PROCESSING_GROUP, StreamingEventProcessor.class).orElseThrow();

        for (int i = 1; i <= 10; i++) {
            send(alice, conversation, "before " + i);
        }
        processor.shutdownAsync().get(30, TimeUnit.SECONDS);
        for (int i = 11; i <= 20; i++) {
            send(alice, conversation, "during " + i);
        }
        processor.start();

        await().atMost(Duration.ofSeconds(40)).until(() -> browser.accepted().stream()
                .anyMatch(r -> r.payload().get("lastSeq").asLong() == 20));
        awaitNothingLeftFor(bob);
        List<long[]> ranges = new ArrayList<>();
        for (Received r : browser.accepted()) {
            ranges.add(new long[]{r.payload().get("firstSeq").asLong(), r.payload().get("lastSeq").asLong(),
                    r.payload().get("count").asLong()});
        }
        long next = 1;
        for (long[] range : ranges) {
            assertThat(range[0]).as("notifications cover each message once, in order: " + describe(ranges))
                    .isEqualTo(next);
            assertThat(range[2]).isEqualTo(range[1] - range[0] + 1);
            next = range[1] + 1;
        }
        assertThat(next).as("up to the last message").isEqualTo(21);
    }

    @Test
    void aSubscriptionThePushServiceCallsGoneIsRemoved() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        WebPushEndpoint expired = subscribe(bob);
        expired.answer(410);
        WebPushEndpoint current = subscribe(bob);
        assertThat(bob.call("GET", "/api/devices", null).body()).hasSize(2);

        send(alice, conversation, "still there?");

        await().atMost(Duration.ofSeconds(30)).until(() -> bob.call("GET", "/api/devices", null).body().size() == 1);
        JsonNode devices = bob.call("GET", "/api/devices", null).body();
        assertThat(devices.get(0).get("endpoint").asText()).isEqualTo(current.url());
        assertThat(expired.received()).extracting(Received::status).containsExactly(410);
        await().atMost(Duration.ofSeconds(30)).until(() -> current.accepted().size() == 1);
    }

    @Test
    void aWebhookFailingFiveTimesIsRetriedWithBackoffThenDeadLetteredAndSentAgainByAnOperator() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bot = ParleyClient.signUp(parley, "bot");
        ParleyClient operator = operator();
        String conversation = alice.openDirectWith(bot);
        WebhookEndpoint hook = receiver.webhook();
        ParleyClient.Response registered = bot.call("POST", "/api/devices", json("kind", "webhook", "url", hook.url()));
        assertThat(registered.status()).isEqualTo(201);
        hook.secret(registered.body().get("secret").asText());
        assertThat(bot.call("GET", "/api/devices", null).body().get(0).has("secret"))
                .as("the secret is shown once").isFalse();
        hook.answer(500, 500, 500, 500, 500);

        send(alice, conversation, "ping");

        await().atMost(Duration.ofSeconds(60)).until(() -> deadLettersOf(operator, bot).size() == 1);
        List<Received> attempts = hook.received();
        assertThat(attempts).extracting(Received::status).containsExactly(500, 500, 500, 500, 500);
        assertThat(attempts).extracting(r -> r.header("X-Parley-Delivery")).as("one delivery id on every retry")
                .containsOnly(attempts.get(0).header("X-Parley-Delivery"));
        for (int i = 1; i < attempts.size(); i++) {
            long gap = Duration.between(attempts.get(i - 1).at(), attempts.get(i).at()).toMillis();
            long atLeast = (BACKOFF_BASE_MS << (i - 1)) / 2;
            assertThat(gap).as("wait before attempt " + (i + 1)).isGreaterThanOrEqualTo(atLeast);
        }
        JsonNode dead = deadLettersOf(operator, bot).get(0);
        assertThat(dead.get("attempts").asInt()).isEqualTo(5);
        assertThat(dead.get("lastError").asText()).isEqualTo("HTTP 500");
        assertThat(dead.has("payload")).as("operators see no message content").isFalse();
        assertThat(bot.call("GET", "/api/admin/notifications/dead-letters", null).status()).isEqualTo(403);

        String id = dead.get("deliveryId").asText();
        assertThat(operator.call("POST", "/api/admin/notifications/dead-letters/" + id + "/retry", null).status())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> hook.accepted().size() == 1);
        assertThat(hook.accepted().get(0).payload().get("conversationId").asText()).isEqualTo(conversation);
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLettersOf(operator, bot).isEmpty());
        assertThat(operator.call("POST", "/api/admin/notifications/dead-letters/" + id + "/retry", null).status())
                .isEqualTo(404);
    }

    @Test
    void devicesAreTheOwnersAndBadRegistrationsAreRefusedWithAReason() {
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        ParleyClient eve = ParleyClient.signUp(parley, "eve");
        WebPushEndpoint browser = receiver.webPush();

        assertThat(bob.call("GET", "/api/devices", null, null).status()).isEqualTo(401);
        ParleyClient.Response noKind = bob.call("POST", "/api/devices", json("endpoint", browser.url()));
        assertThat(noKind.status()).isEqualTo(400);
        assertThat(noKind.body().get("message").asText()).contains("kind");
        ParleyClient.Response badKey = bob.call("POST", "/api/devices", json("kind", "webpush",
                "endpoint", browser.url(), "keys", Map.of("p256dh", "AAAA", "auth", browser.auth())));
        assertThat(badKey.status()).isEqualTo(400);
        assertThat(badKey.body().get("message").asText()).contains("p256dh");
        ParleyClient.Response notConfigured = bob.call("POST", "/api/devices", json("kind", "apns",
                "token", "a".repeat(64)));
        assertThat(notConfigured.status()).isEqualTo(400);
        assertThat(notConfigured.body().get("message").asText()).contains("not configured");

        String deviceId = registerWebPush(bob, browser).get("deviceId").asText();
        assertThat(registerWebPush(bob, browser).get("deviceId").asText()).as("registering again is the same device")
                .isEqualTo(deviceId);
        assertThat(eve.call("GET", "/api/devices", null).body()).isEmpty();
        assertThat(eve.call("DELETE", "/api/devices/" + deviceId, null).status()).isEqualTo(404);
        assertThat(bob.call("DELETE", "/api/devices/" + deviceId, null).status()).isEqualTo(204);
        assertThat(bob.call("GET", "/api/devices", null).body()).isEmpty();

        JsonNode key = bob.call("GET", "/api/devices/web-push-key", null).body();
        assertThat(key.get("publicKey").asText()).hasSize(87);
        assertThat(Files.exists(dataDir.resolve("vapid-keys.properties"))).as("kept in the data dir").isTrue();
    }

    @Test
    void erasingAUserRemovesTheirPushTargets() {
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        subscribe(bob);
        assertThat(parley.bean(DeviceRegistry.class).targetsOf(bob.userId)).hasSize(1);

        assertThat(bob.call("DELETE", "/api/users/" + bob.userId + "/data", null).status()).isEqualTo(202);

        assertThat(parley.bean(DeviceRegistry.class).targetsOf(bob.userId)).isEmpty();
    }

    // --- helpers

    private static WebPushEndpoint subscribe(ParleyClient user) {
        WebPushEndpoint browser = receiver.webPush();
        receiver.expectVapidKey(user.call("GET", "/api/devices/web-push-key", null).body().get("publicKey").asText());
        registerWebPush(user, browser);
        return browser;
    }

    private static JsonNode registerWebPush(ParleyClient user, WebPushEndpoint browser) {
        ParleyClient.Response response = user.call("POST", "/api/devices", json("kind", "webpush",
                "endpoint", browser.url(), "keys", Map.of("p256dh", browser.p256dh(), "auth", browser.auth())));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.body();
    }

    private static void send(ParleyClient from, String conversation, String text) {
        ParleyClient.Response sent = from.sendOverHttp(conversation, text);
        assertThat(sent.status()).as(sent.toString()).isEqualTo(201);
    }

    /**
     * Nothing pending and nothing waiting to be sent for the user: whatever was going to reach them has. The positive
     * signal "no (more) notification" rests on.
     */
    private static void awaitNothingLeftFor(ParleyClient user) {
        JdbcTemplate jdbc = new JdbcTemplate(parley.bean(DataSource.class));
        await().atMost(Duration.ofSeconds(30)).until(() ->
                jdbc.queryForObject("SELECT COUNT(*) FROM ntf_pending WHERE user_id = ?", Integer.class, user.userId) == 0
                        && jdbc.queryForObject("SELECT COUNT(*) FROM ntf_deliveries WHERE user_id = ? AND state = 'PENDING'",
                        Integer.class, user.userId) == 0);
    }

    private static ParleyClient operator() {
        return ParleyClient.signUpExactly(parley, OPERATOR);
    }

    private static List<JsonNode> deadLettersOf(ParleyClient operator, ParleyClient user) {
        List<JsonNode> mine = new ArrayList<>();
        for (JsonNode dead : operator.call("GET", "/api/admin/notifications/dead-letters", null).body()) {
            if (user.userId.equals(dead.get("userId").asText())) {
                mine.add(dead);
            }
        }
        return mine;
    }

    private static String describe(List<long[]> ranges) {
        StringBuilder out = new StringBuilder();
        for (long[] r : ranges) {
            out.append('[').append(r[0]).append("..").append(r[1]).append(" x").append(r[2]).append(']');
        }
        return out.toString();
    }
}
