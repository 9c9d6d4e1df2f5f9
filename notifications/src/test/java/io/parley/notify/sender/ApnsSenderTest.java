package io.parley.notify.sender;

import com.eatthepath.pushy.apns.ApnsPushNotification;
import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.ParsingMockApnsServerListenerAdapter;
import com.eatthepath.pushy.apns.server.PushNotificationHandler;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.notify.NotificationProperties;
import io.parley.notify.PushTarget;
import io.parley.notify.TargetKind;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import io.netty.channel.nio.NioEventLoopGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The APNs sender against pushy's {@link MockApnsServer} on 127.0.0.1: a real HTTP/2 server over TLS speaking the APNs
 * protocol, which checks each request's ES256 provider token with the team's public key, its topic and device token
 * (unknown token: {@code BadDeviceToken}; an expired one: {@code Unregistered}). The sender is built from properties as
 * in production: a .p8 key file, team and key id, the topic, and a trusted server certificate made here.
 */
class ApnsSenderTest {

    private static final String TOPIC = "io.parley.ios";
    private static final String TEAM_ID = "TEAM123456";
    private static final String KEY_ID = "KEY1234567";
    private static final String TOKEN = "a1b2c3d4".repeat(8);
    private static final String EXPIRED_TOKEN = "e0e0e0e0".repeat(8);
    /** Not 64 hexadecimal digits: APNs (and the mock) answer {@code BadDeviceToken}; our registry takes 32 to 200. */
    private static final String BAD_TOKEN = "0f0f0f0f".repeat(10);
    private static final String OTHER_APPS_TOKEN = "0f0f0f0f".repeat(8);
    private static final String OVERLOADED_TOKEN = "5a5a5a5a".repeat(8);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<ApnsPushNotification> accepted = new CopyOnWriteArrayList<>();
    private final List<RejectionReason> rejected = new CopyOnWriteArrayList<>();
    private MockApnsServer server;
    private ApnsSender sender;
    private int port;
    private Path trusted;

    /** The server's event loops, shared by the tests and stopped without a quiet period (each server's would take 2 s). */
    private static NioEventLoopGroup serverLoops;

    @BeforeAll
    static void loops() {
        serverLoops = new NioEventLoopGroup(1);
    }

    @AfterAll
    static void stopLoops() {
        serverLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair tls = ec.generateKeyPair();
        X509Certificate certificate = selfSigned(tls);
        KeyPair team = ec.generateKeyPair();
        ApnsVerificationKey verification = new ApnsVerificationKey(KEY_ID, TEAM_ID, (ECPublicKey) team.getPublic());

        ValidatingPushNotificationHandlerFactory validating = new ValidatingPushNotificationHandlerFactory(
                Map.of(TOPIC, Set.of(TOKEN, EXPIRED_TOKEN, OVERLOADED_TOKEN)),
                Map.of(EXPIRED_TOKEN, Instant.now().minusSeconds(60)),
                Map.of(KEY_ID, verification), Map.of(verification, Set.of(TOPIC)));
        server = new MockApnsServerBuilder()
                .setEventLoopGroup(serverLoops)
                .setServerCredentials(new X509Certificate[]{certificate}, tls.getPrivate(), null)
                .setHandlerFactory(session -> {
                    PushNotificationHandler checks = validating.buildHandler(session);
                    return (headers, payload) -> {
                        checks.handlePushNotification(headers, payload);
                        if (headers.path().toString().endsWith(OVERLOADED_TOKEN)) {
                            throw new RejectedNotificationException(RejectionReason.SERVICE_UNAVAILABLE);
                        }
                    };
                })
                .setListener(new ParsingMockApnsServerListenerAdapter() {
                    @Override
                    public void handlePushNotificationAccepted(ApnsPushNotification notification) {
                        accepted.add(notification);
                    }

                    @Override
                    public void handlePushNotificationRejected(ApnsPushNotification notification, RejectionReason reason,
                                                               Instant invalidated) {
                        rejected.add(reason);
                    }
                })
                .build();
        port = server.start(0).get();

        Path key = dir.resolve("AuthKey_" + KEY_ID + ".p8");
        Files.writeString(key, pem("PRIVATE KEY", team.getPrivate().getEncoded()));
        trusted = dir.resolve("apns-ca.pem");
        Files.writeString(trusted, pem("CERTIFICATE", certificate.getEncoded()));
        sender = ApnsSender.create(new NotificationProperties.Apns(TOPIC, "localhost:" + port, key.toString(), TEAM_ID,
                KEY_ID, null, null, trusted.toString()), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        if (sender != null) {
            sender.close();
        }
        if (server != null) {
            server.shutdown().get();
        }
    }

    @Test
    void aNotificationArrivesWithTheAppsTopicTheConversationsCollapseIdAndAnAlert() throws Exception {
        OutgoingNotification notification = new OutgoingNotification("d-1", "conversation-1",
                "{\"title\":\"alice\",\"body\":\"New message\",\"conversationId\":\"conversation-1\",\"count\":3}");

        SendOutcome outcome = sender.send(apns(TOKEN), notification).get();

        assertThat(outcome).isInstanceOf(SendOutcome.Delivered.class);
        assertThat(rejected).isEmpty();
        assertThat(accepted).hasSize(1);
        ApnsPushNotification got = accepted.get(0);
        assertThat(got.getToken()).isEqualTo(TOKEN);
        assertThat(got.getTopic()).isEqualTo(TOPIC);
        assertThat(got.getCollapseId()).isEqualTo(notification.topic());
        JsonNode payload = JSON.readTree(got.getPayload());
        assertThat(payload.at("/aps/alert/title").asText()).isEqualTo("alice");
        assertThat(payload.at("/aps/alert/body").asText()).isEqualTo("New message");
        assertThat(payload.at("/aps/thread-id").asText()).isEqualTo(notification.topic());
        assertThat(payload.at("/parley/conversationId").asText()).isEqualTo("conversation-1");
        assertThat(payload.at("/parley/count").asInt()).isEqualTo(3);
    }

    @Test
    void aTokenApnsCallsBadOrUnregisteredIsReportedGone() throws Exception {
        OutgoingNotification n = new OutgoingNotification("d", "c", "{}");

        assertThat(sender.send(apns(BAD_TOKEN), n).get()).isInstanceOf(SendOutcome.Gone.class)
                .extracting(o -> ((SendOutcome.Gone) o).reason()).asString().contains("BadDeviceToken");
        assertThat(sender.send(apns(EXPIRED_TOKEN), n).get()).isInstanceOf(SendOutcome.Gone.class)
                .extracting(o -> ((SendOutcome.Gone) o).reason()).asString().contains("Unregistered");
        assertThat(rejected).containsExactly(RejectionReason.BAD_DEVICE_TOKEN, RejectionReason.UNREGISTERED);
    }

    @Test
    void aTokenOfAnotherAppIsRefusedButNotRemovedSinceTheTopicMayBeOurMistake() throws Exception {
        SendOutcome outcome = sender.send(apns(OTHER_APPS_TOKEN), new OutgoingNotification("d", "c", "{}")).get();

        assertThat(outcome).isInstanceOf(SendOutcome.Rejected.class);
        assertThat(((SendOutcome.Rejected) outcome).reason()).isEqualTo("APNs 400 DeviceTokenNotForTopic");
    }

    @Test
    void anOverloadedApnsIsRetriedLater() throws Exception {
        SendOutcome outcome = sender.send(apns(OVERLOADED_TOKEN), new OutgoingNotification("d", "c", "{}")).get();

        assertThat(outcome).isInstanceOf(SendOutcome.Retry.class);
        assertThat(((SendOutcome.Retry) outcome).reason()).contains("503").doesNotContain(OVERLOADED_TOKEN);
    }

    @Test
    void aTokenSignedWithAnotherTeamsKeyIsRefusedForGood(@TempDir Path dir) throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        Path otherKey = dir.resolve("other.p8");
        Files.writeString(otherKey, pem("PRIVATE KEY", ec.generateKeyPair().getPrivate().getEncoded()));
        // the same server, a key APNs does not know for this key id
        try (ApnsSender impostor = ApnsSender.create(new NotificationProperties.Apns(TOPIC, "localhost:" + port,
                otherKey.toString(), TEAM_ID, KEY_ID, null, null, trusted.toString()), Duration.ofSeconds(5))) {
            SendOutcome outcome = impostor.send(apns(TOKEN), new OutgoingNotification("d", "c", "{}")).get();
            assertThat(outcome).isInstanceOf(SendOutcome.Rejected.class);
            assertThat(((SendOutcome.Rejected) outcome).reason()).contains("InvalidProviderToken");
        }
        assertThat(accepted).isEmpty();
    }

    private static PushTarget apns(String token) {
        return new PushTarget("t-" + token.substring(0, 4), "bob", TargetKind.APNS, token, null, null, null, null,
                Instant.now());
    }

    private static X509Certificate selfSigned(KeyPair keys) throws Exception {
        X500Name name = new X500Name("CN=localhost");
        Date from = Date.from(Instant.now().minus(Duration.ofHours(1)));
        Date to = Date.from(Instant.now().plus(Duration.ofDays(1)));
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(System.nanoTime()), from, to, name, keys.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
