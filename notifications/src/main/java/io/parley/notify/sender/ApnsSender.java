package io.parley.notify.sender;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.notify.NotificationProperties;
import io.parley.notify.PushTarget;
import io.parley.notify.TargetKind;

import java.io.File;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * APNs over HTTP/2 with {@code com.eatthepath:pushy}: token-based authentication (an ES256 JWT signed with the team's
 * .p8 key, renewed by pushy) or a client certificate. Each notification is an {@code alert} with the conversation's
 * collapse key as {@code apns-collapse-id} (and {@code thread-id}, so iOS groups a conversation), the app's bundle id
 * as {@code apns-topic}, and Parley's JSON under the custom key {@code parley}.
 * <p>
 * Answers (Apple, "Handling notification responses from APNs"): 200 delivered; {@code BadDeviceToken} (400) and
 * {@code Unregistered} (410) mean the token is gone; 429, 500, 503 and {@code ExpiredProviderToken} (403, pushy renews
 * the token) are retried; other rejections are refused for good. A closed connection is retried by the dispatcher.
 */
public class ApnsSender implements PushSender, AutoCloseable {

    /** How long APNs keeps an undelivered notification: a day, as for Web Push. */
    static final Duration EXPIRATION = Duration.ofDays(1);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> GONE = Set.of("BadDeviceToken", "Unregistered");
    private static final Set<String> PASSING = Set.of("TooManyRequests", "InternalServerError", "ServiceUnavailable",
            "Shutdown", "ExpiredProviderToken", "IdleTimeout");

    private final ApnsClient client;
    private final String topic;

    public ApnsSender(ApnsClient client, String topic) {
        this.client = client;
        this.topic = topic;
    }

    /**
     * A sender for the configured credentials.
     *
     * @throws IllegalStateException if the key or certificate cannot be read (the message names the file, never its
     *                               content)
     */
    public static ApnsSender create(NotificationProperties.Apns apns, Duration connectTimeout) {
        ApnsClientBuilder builder = new ApnsClientBuilder().setConnectionTimeout(connectTimeout);
        String server = apns.server() == null ? "production" : apns.server().trim();
        switch (server) {
            case "production" -> builder.setApnsServer(ApnsClientBuilder.PRODUCTION_APNS_HOST);
            case "development", "sandbox" -> builder.setApnsServer(ApnsClientBuilder.DEVELOPMENT_APNS_HOST);
            default -> {
                int colon = server.lastIndexOf(':');
                if (colon < 0) {
                    builder.setApnsServer(server);
                } else {
                    builder.setApnsServer(server.substring(0, colon), Integer.parseInt(server.substring(colon + 1)));
                }
            }
        }
        try {
            if (apns.hasSigningKey()) {
                builder.setSigningKey(ApnsSigningKey.loadFromPkcs8File(new File(apns.signingKeyFile()), apns.teamId(),
                        apns.keyId()));
            } else {
                builder.setClientCredentials(new File(apns.certificateFile()), apns.certificatePassword());
            }
            if (apns.trustedServerCertificate() != null && !apns.trustedServerCertificate().isBlank()) {
                builder.setTrustedServerCertificateChain(new File(apns.trustedServerCertificate()));
            }
            return new ApnsSender(builder.build(), apns.topic());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the APNs credentials ("
                    + (apns.hasSigningKey() ? apns.signingKeyFile() : apns.certificateFile()) + "): "
                    + e.getClass().getSimpleName(), null);
        }
    }

    @Override
    public TargetKind kind() {
        return TargetKind.APNS;
    }

    @Override
    public CompletableFuture<SendOutcome> send(PushTarget target, OutgoingNotification notification) {
        SimpleApnsPushNotification push = new SimpleApnsPushNotification(target.address(), topic,
                payload(notification), Instant.now().plus(EXPIRATION), DeliveryPriority.IMMEDIATE, PushType.ALERT,
                notification.topic());
        return client.sendNotification(push).thenApply(ApnsSender::outcome);
    }

    /** How an APNs answer is handled (see the class comment). */
    static SendOutcome outcome(PushNotificationResponse<?> response) {
        if (response.isAccepted()) {
            return new SendOutcome.Delivered();
        }
        String reason = response.getRejectionReason().orElse("");
        String said = "APNs " + response.getStatusCode() + (reason.isEmpty() ? "" : " " + reason);
        if (GONE.contains(reason) || response.getStatusCode() == 410) {
            return new SendOutcome.Gone(said);
        }
        if (PASSING.contains(reason) || response.getStatusCode() == 429 || response.getStatusCode() >= 500) {
            return new SendOutcome.Retry(said);
        }
        return new SendOutcome.Rejected(said);
    }

    /**
     * The APNs payload: {@code aps.alert} with Parley's {@code title} and {@code body}, {@code thread-id} the
     * conversation's collapse key, {@code mutable-content} so a notification service extension may rewrite it, and
     * Parley's JSON (README, "Push notifications") under {@code parley} for the app.
     */
    static String payload(OutgoingNotification notification) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode aps = root.putObject("aps");
        ObjectNode alert = aps.putObject("alert");
        JsonNode parley;
        try {
            parley = JSON.readTree(notification.payload());
        } catch (IOException e) {
            parley = JSON.createObjectNode();
        }
        alert.put("title", parley.path("title").asText("Parley"));
        alert.put("body", parley.path("body").asText("New message"));
        aps.put("sound", "default");
        aps.put("thread-id", notification.topic());
        aps.put("mutable-content", 1);
        root.set("parley", parley);
        return root.toString();
    }

    @Override
    public void close() {
        client.close().join();
    }
}
