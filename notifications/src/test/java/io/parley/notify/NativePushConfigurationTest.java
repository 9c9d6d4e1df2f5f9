package io.parley.notify;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which target kinds a server accepts follows its properties: APNs and FCM only with their credentials. */
class NativePushConfigurationTest {

    @Test
    void aServerWithoutCredentialsAcceptsOnlyWebPushAndWebhooks() {
        assertThat(bind(Map.of()).supportedKinds()).containsExactlyInAnyOrder(TargetKind.WEB_PUSH, TargetKind.WEBHOOK);
    }

    @Test
    void apnsIsAcceptedWithATopicAndASigningKeyOrACertificate() {
        assertThat(bind(Map.of("parley.notifications.apns.topic", "io.parley.ios",
                "parley.notifications.apns.signing-key-file", "/run/secrets/AuthKey.p8",
                "parley.notifications.apns.team-id", "TEAM123456",
                "parley.notifications.apns.key-id", "KEY1234567")).supportedKinds()).contains(TargetKind.APNS)
                .doesNotContain(TargetKind.FCM);
        assertThat(bind(Map.of("parley.notifications.apns.topic", "io.parley.ios",
                "parley.notifications.apns.certificate-file", "/run/secrets/apns.p12")).supportedKinds())
                .contains(TargetKind.APNS);
    }

    @Test
    void apnsWithATopicButNoCredentialsIsNotAccepted() {
        assertThat(bind(Map.of("parley.notifications.apns.topic", "io.parley.ios",
                "parley.notifications.apns.team-id", "TEAM123456")).supportedKinds()).doesNotContain(TargetKind.APNS);
    }

    @Test
    void fcmIsAcceptedWithAServiceAccountFile() {
        assertThat(bind(Map.of("parley.notifications.fcm.service-account-file", "/run/secrets/firebase.json"))
                .supportedKinds()).contains(TargetKind.FCM).doesNotContain(TargetKind.APNS);
    }

    @Test
    void theSettingsNeverPrintTheirSecrets() {
        NotificationProperties properties = bind(Map.of("parley.notifications.apns.topic", "io.parley.ios",
                "parley.notifications.apns.certificate-file", "/run/secrets/apns.p12",
                "parley.notifications.apns.certificate-password", "p12-password-do-not-log",
                "parley.notifications.web-push.public-key", "BPUBLIC",
                "parley.notifications.web-push.private-key", "vapid-private-do-not-log"));

        assertThat(properties.toString()).doesNotContain("p12-password-do-not-log")
                .doesNotContain("vapid-private-do-not-log");
    }

    private static NotificationProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("parley.notifications", NotificationProperties.class);
    }
}
