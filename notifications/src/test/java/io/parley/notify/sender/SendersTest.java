package io.parley.notify.sender;

import io.parley.notify.PushTarget;
import io.parley.notify.TargetAddresses;
import io.parley.notify.TargetKind;
import io.parley.notify.testing.PushReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** The senders against real receivers on 127.0.0.1 that decrypt and check what arrives. */
class SendersTest {

    /** The receivers listen on 127.0.0.1: these senders are allowed private addresses, as the opt-in setting does. */
    private static final TargetAddresses LOCAL_RECEIVERS = new TargetAddresses(true);

    private final PushReceiver receiver = new PushReceiver();
    private final HttpClient http = Http.client(Duration.ofSeconds(2), Executors.newFixedThreadPool(2));

    @AfterEach
    void close() {
        receiver.close();
    }

    @Test
    void aWebPushArrivesEncryptedForTheSubscriptionAndSignedWithTheServersVapidKey(@TempDir Path dir) throws Exception {
        VapidKeyring keys = VapidKeyring.inFile("mailto:ops@example.org", dir.resolve("vapid.properties"));
        receiver.expectVapidKey(keys.publicKey());
        PushReceiver.WebPushEndpoint browser = receiver.webPush();
        WebPushSender sender = new WebPushSender(keys, http, Duration.ofSeconds(5), LOCAL_RECEIVERS);

        SendOutcome outcome = sender.send(webPush(browser), new OutgoingNotification("d-1", "conversation-1",
                "{\"title\":\"alice\",\"body\":\"New message\"}")).get();

        assertThat(receiver.problems()).isEmpty();
        assertThat(outcome).isInstanceOf(SendOutcome.Delivered.class);
        PushReceiver.Received got = browser.received().get(0);
        assertThat(got.payload().get("title").asText()).isEqualTo("alice");
        assertThat(got.header("Topic")).isEqualTo(new OutgoingNotification("x", "conversation-1", "{}").topic())
                .hasSizeLessThanOrEqualTo(32).matches("[A-Za-z0-9_-]+");
        assertThat(got.header("Urgency")).isEqualTo("high");
    }

    @Test
    void theGeneratedVapidKeysAreKeptOwnerOnlyAndReusedAfterARestart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vapid.properties");
        String first = VapidKeyring.inFile("mailto:ops@example.org", file).publicKey();
        assertThat(VapidKeyring.inFile("mailto:ops@example.org", file).publicKey()).isEqualTo(first);
        assertThat(Files.getPosixFilePermissions(file))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(VapidKeyring.inFile("mailto:ops@example.org", file).toString()).doesNotContain(
                Files.readString(file).lines().filter(l -> l.startsWith("private")).findFirst().orElseThrow()
                        .substring("private-key-pkcs8=".length()));
    }

    @Test
    void aSubscriptionThePushServiceCallsGoneIsReportedGone(@TempDir Path dir) throws Exception {
        VapidKeyring keys = VapidKeyring.inFile("mailto:ops@example.org", dir.resolve("vapid.properties"));
        PushReceiver.WebPushEndpoint expired = receiver.webPush();
        expired.answer(410);
        PushReceiver.WebPushEndpoint missing = receiver.webPush();
        missing.answer(404);
        PushReceiver.WebPushEndpoint overloaded = receiver.webPush();
        overloaded.answer(503);
        WebPushSender sender = new WebPushSender(keys, http, Duration.ofSeconds(5), LOCAL_RECEIVERS);
        OutgoingNotification n = new OutgoingNotification("d", "c", "{}");

        assertThat(sender.send(webPush(expired), n).get()).isInstanceOf(SendOutcome.Gone.class);
        assertThat(sender.send(webPush(missing), n).get()).isInstanceOf(SendOutcome.Gone.class);
        assertThat(sender.send(webPush(overloaded), n).get()).isInstanceOf(SendOutcome.Retry.class);
    }

    @Test
    void aWebhookIsAJsonPostSignedWithHmacSha256OfTimestampAndBody() throws Exception {
        PushReceiver.WebhookEndpoint hook = receiver.webhook();
        hook.secret("s3cret-of-the-hook");
        WebhookSender sender = new WebhookSender(http, Duration.ofSeconds(5), Clock.systemUTC(), LOCAL_RECEIVERS);
        PushTarget target = new PushTarget("t", "u", TargetKind.WEBHOOK, hook.url(), null, null, "s3cret-of-the-hook",
                null, Instant.now());

        SendOutcome outcome = sender.send(target, new OutgoingNotification("d-7", "c", "{\"body\":\"hi\"}")).get();

        assertThat(outcome).isInstanceOf(SendOutcome.Delivered.class);
        assertThat(receiver.problems()).isEmpty();
        assertThat(hook.received().get(0).payload().get("body").asText()).isEqualTo("hi");
        assertThat(hook.received().get(0).header("X-Parley-Delivery")).isEqualTo("d-7");
    }

    @Test
    void aWebhookSignedWithAnotherSecretIsRefusedByTheReceiver() throws Exception {
        PushReceiver.WebhookEndpoint hook = receiver.webhook();
        hook.secret("the-right-secret");
        WebhookSender sender = new WebhookSender(http, Duration.ofSeconds(5), Clock.systemUTC(), LOCAL_RECEIVERS);
        PushTarget target = new PushTarget("t", "u", TargetKind.WEBHOOK, hook.url(), null, null, "a-wrong-secret",
                null, Instant.now());

        assertThat(sender.send(target, new OutgoingNotification("d", "c", "{}")).get())
                .isInstanceOf(SendOutcome.Rejected.class);
        assertThat(receiver.problems()).containsExactly("webhook signature does not match");
    }

    @Test
    void aWebhookWhoseHostIsPrivateAtSendTimeIsNotCalledButRefusedForGood() throws Exception {
        PushReceiver.WebhookEndpoint hook = receiver.webhook();
        hook.secret("s3cret-of-the-hook");
        WebhookSender sender = new WebhookSender(http, Duration.ofSeconds(5), Clock.systemUTC(),
                new TargetAddresses(false));
        // as registered by name ("localhost" now leads to this machine) and by address
        for (String url : java.util.List.of(hook.url(), hook.url().replace("127.0.0.1", "localhost"))) {
            PushTarget target = new PushTarget("t", "u", TargetKind.WEBHOOK, url, null, null, "s3cret-of-the-hook",
                    null, Instant.now());

            SendOutcome outcome = sender.send(target, new OutgoingNotification("d-8", "c", "{\"body\":\"hi\"}")).get();

            assertThat(outcome).as(url).isInstanceOf(SendOutcome.Rejected.class);
            assertThat(((SendOutcome.Rejected) outcome).reason()).contains("must reach a public address");
        }
        assertThat(hook.received()).as("nothing reached the private receiver").isEmpty();
    }

    @Test
    void aWebPushEndpointOnAPrivateAddressIsNotCalledButRefusedForGood(@TempDir Path dir) throws Exception {
        VapidKeyring keys = VapidKeyring.inFile("mailto:ops@example.org", dir.resolve("vapid.properties"));
        PushReceiver.WebPushEndpoint browser = receiver.webPush();
        WebPushSender sender = new WebPushSender(keys, http, Duration.ofSeconds(5), new TargetAddresses(false));

        SendOutcome outcome = sender.send(webPush(browser), new OutgoingNotification("d-9", "c", "{}")).get();

        assertThat(outcome).isInstanceOf(SendOutcome.Rejected.class);
        assertThat(browser.received()).isEmpty();
    }

    private static PushTarget webPush(PushReceiver.WebPushEndpoint browser) {
        return new PushTarget("t-" + browser.url().hashCode(), "bob", TargetKind.WEB_PUSH, browser.url(),
                browser.p256dh(), browser.auth(), null, null, Instant.now());
    }
}
