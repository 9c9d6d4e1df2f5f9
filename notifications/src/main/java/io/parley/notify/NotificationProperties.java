package io.parley.notify;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The notification service's settings ({@code parley.notifications.*}).
 *
 * @param processorEnabled     whether this process runs the notification processor and the senders (push nodes of
 *                             distributed mode only expose the device and settings endpoints: {@code false})
 * @param delay                the quiet period: a notification goes out this long after the last message of a burst
 *                             (each message that joins it pushes it back); a user who connects or reads meanwhile gets
 *                             none
 * @param maxDelay             the longest a notification is pushed back by a conversation that never falls quiet,
 *                             counted from the first message it holds
 * @param maxAge               a message older than this when the processor first sees it notifies nobody (a fresh
 *                             processor walking old history, or one that was down for long, stays silent)
 * @param pollInterval         how often due notifications and deliveries are looked for
 * @param maxAttempts          sends to one target before the delivery becomes a dead letter
 * @param backoffBase          wait before the second attempt; doubled for each further attempt, with full jitter
 * @param backoffMax           the longest wait between two attempts
 * @param requestTimeout       how long one send may take before it counts as failed (and is retried)
 * @param perTargetConcurrency sends in flight to one target at once: a slow endpoint holds at most this many slots
 * @param maxInFlight          sends in flight at once in this process
 * @param allowPlainHttp       accept {@code http://} endpoints (tests, a webhook on the same host); off by default:
 *                             targets must be {@code https://}
 * @param allowPrivateAddresses accept and send to Web Push and webhook URLs whose host is (or resolves to) a
 *                             loopback, link-local, private or other internal address ({@link TargetAddresses}); off
 *                             by default, on only where receivers are local on purpose (tests, benchmarks)
 * @param maxTargetsPerUser    push targets one user may register
 * @param webPush              the VAPID identity of this server
 * @param apns                 Apple Push Notification service credentials; off unless configured
 * @param fcm                  Firebase Cloud Messaging credentials; off unless configured
 */
@ConfigurationProperties("parley.notifications")
public record NotificationProperties(@DefaultValue("true") boolean processorEnabled,
                                     @DefaultValue("3s") Duration delay,
                                     @DefaultValue("30s") Duration maxDelay,
                                     @DefaultValue("10m") Duration maxAge,
                                     @DefaultValue("250ms") Duration pollInterval,
                                     @DefaultValue("5") int maxAttempts,
                                     @DefaultValue("2s") Duration backoffBase,
                                     @DefaultValue("10m") Duration backoffMax,
                                     @DefaultValue("10s") Duration requestTimeout,
                                     @DefaultValue("2") int perTargetConcurrency,
                                     @DefaultValue("256") int maxInFlight,
                                     @DefaultValue("false") boolean allowPlainHttp,
                                     @DefaultValue("false") boolean allowPrivateAddresses,
                                     @DefaultValue("20") int maxTargetsPerUser,
                                     @DefaultValue WebPush webPush,
                                     @DefaultValue Apns apns,
                                     @DefaultValue Fcm fcm) {

    /** The push-target kinds this deployment accepts: Web Push and webhooks always, APNs and FCM when configured. */
    public java.util.Set<TargetKind> supportedKinds() {
        java.util.EnumSet<TargetKind> kinds = java.util.EnumSet.of(TargetKind.WEB_PUSH, TargetKind.WEBHOOK);
        if (apns != null && apns.configured()) {
            kinds.add(TargetKind.APNS);
        }
        if (fcm != null && fcm.configured()) {
            kinds.add(TargetKind.FCM);
        }
        return kinds;
    }

    /**
     * @param subject    the contact the push services see in the VAPID token ({@code mailto:} or {@code https:} URL)
     * @param publicKey  the VAPID public key (base64url, uncompressed P-256 point, 65 bytes); with {@code privateKey}
     * @param privateKey the VAPID private key (base64url, 32 bytes); never logged
     * @param keyFile    where generated keys are kept when none are configured (default: {@code vapid-keys.properties}
     *                   in {@code parley.data-dir})
     */
    public record WebPush(@DefaultValue("mailto:operator@parley.invalid") String subject, String publicKey,
                          String privateKey, String keyFile) {

        @Override
        public String toString() {
            return "WebPush[subject=" + subject + ", publicKey=" + publicKey + ", keyFile=" + keyFile + "]";
        }
    }

    /**
     * APNs over HTTP/2 (pushy). Configured when {@code topic} is set with either a token-signing key
     * ({@code signing-key-file} + {@code team-id} + {@code key-id}, the .p8 file from Apple's developer account) or a
     * client certificate ({@code certificate-file}, PKCS#12, with {@code certificate-password}). Key, certificate and
     * password are read from files or properties and never logged.
     *
     * @param topic                     the app's bundle id ({@code apns-topic})
     * @param server                    {@code production} ({@code api.push.apple.com}), {@code development}
     *                                  ({@code api.sandbox.push.apple.com}), or a {@code host:port} (tests)
     * @param signingKeyFile            the PKCS#8 .p8 key for token-based authentication
     * @param teamId                    the 10-character Apple team id the key belongs to
     * @param keyId                     the 10-character id of the key
     * @param certificateFile           a PKCS#12 client certificate, instead of a signing key
     * @param certificatePassword       its password
     * @param trustedServerCertificate  a PEM file of CA certificates to trust instead of the JDK's (tests only)
     */
    public record Apns(String topic, @DefaultValue("production") String server, String signingKeyFile, String teamId,
                       String keyId, String certificateFile, String certificatePassword,
                       String trustedServerCertificate) {

        public boolean configured() {
            return present(topic) && (hasSigningKey() || present(certificateFile));
        }

        public boolean hasSigningKey() {
            return present(signingKeyFile) && present(teamId) && present(keyId);
        }

        @Override
        public String toString() {
            return "Apns[topic=" + topic + ", server=" + server + ", teamId=" + teamId + ", keyId=" + keyId + "]";
        }
    }

    /**
     * FCM HTTP v1 (firebase-admin). Configured when {@code service-account-file} is set: the service account's JSON
     * key from the Firebase console, read from the file and never logged.
     *
     * @param serviceAccountFile the service account JSON key
     * @param projectId          the Firebase project; default: the service account's {@code project_id}
     */
    public record Fcm(String serviceAccountFile, String projectId) {

        public boolean configured() {
            return present(serviceAccountFile);
        }
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
