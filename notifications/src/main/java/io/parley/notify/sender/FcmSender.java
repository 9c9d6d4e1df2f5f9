package io.parley.notify.sender;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.firebase.FirebaseApp;
import com.google.firebase.FirebaseOptions;
import com.google.firebase.messaging.AndroidConfig;
import com.google.firebase.messaging.AndroidNotification;
import com.google.firebase.messaging.FirebaseMessaging;
import com.google.firebase.messaging.FirebaseMessagingException;
import com.google.firebase.messaging.Message;
import com.google.firebase.messaging.MessagingErrorCode;
import com.google.firebase.messaging.Notification;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.notify.NotificationProperties;
import io.parley.notify.PushTarget;
import io.parley.notify.TargetKind;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * FCM HTTP v1 ({@code projects/{id}/messages:send}) with {@code com.google.firebase:firebase-admin}: OAuth 2 access
 * tokens from the service account, renewed by the library. Each message carries a {@code notification} (Parley's
 * {@code title} and {@code body}), the conversation's collapse key as Android {@code collapse_key} and notification
 * {@code tag} (a newer notification of a conversation replaces the older one), high priority, a TTL of a day, and
 * Parley's JSON as the data field {@code parley}.
 * <p>
 * Errors (Firebase, "FCM error codes"): {@code UNREGISTERED} means the token is gone; {@code UNAVAILABLE},
 * {@code INTERNAL}, {@code QUOTA_EXCEEDED} and network failures are retried; {@code INVALID_ARGUMENT},
 * {@code SENDER_ID_MISMATCH} and {@code THIRD_PARTY_AUTH_ERROR} are refused for good. firebase-admin itself retries
 * 500/503 a few times with backoff inside one send; the dispatcher's {@code request-timeout} bounds that.
 */
public class FcmSender implements PushSender, AutoCloseable {

    /** How long FCM keeps an undelivered message, in milliseconds: a day, as for Web Push and APNs. */
    static final long TTL_MILLIS = Duration.ofDays(1).toMillis();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FirebaseApp app;
    private final FirebaseMessaging messaging;

    FcmSender(FirebaseApp app) {
        this.app = app;
        this.messaging = FirebaseMessaging.getInstance(app);
    }

    /**
     * A sender with the configured service account.
     *
     * @param transport the HTTP transport for FCM and the OAuth token endpoint; null for the library's own (HTTP/2)
     * @throws IllegalStateException if the service account file cannot be read (the message names the file, never its
     *                               content)
     */
    public static FcmSender create(NotificationProperties.Fcm fcm, Duration timeout, HttpTransport transport) {
        GoogleCredentials credentials;
        try (InputStream in = Files.newInputStream(Path.of(fcm.serviceAccountFile()))) {
            credentials = transport == null ? GoogleCredentials.fromStream(in)
                    : GoogleCredentials.fromStream(in, () -> transport);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the FCM service account (" + fcm.serviceAccountFile() + "): "
                    + e.getClass().getSimpleName(), null);
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        FirebaseOptions.Builder options = FirebaseOptions.builder()
                .setCredentials(credentials)
                // Gson (a declared dependency of firebase-admin); its Jackson default came with the excluded Cloud parts
                .setJsonFactory(GsonFactory.getDefaultInstance())
                .setConnectTimeout(millis)
                .setReadTimeout(millis);
        if (fcm.projectId() != null && !fcm.projectId().isBlank()) {
            options.setProjectId(fcm.projectId());
        }
        if (transport != null) {
            options.setHttpTransport(transport);
        }
        // a name of its own: FirebaseApp keeps apps in a process-wide registry, and another part may use the default
        return new FcmSender(FirebaseApp.initializeApp(options.build(), "parley-notifications-" + UUID.randomUUID()));
    }

    @Override
    public TargetKind kind() {
        return TargetKind.FCM;
    }

    @Override
    public CompletableFuture<SendOutcome> send(PushTarget target, OutgoingNotification notification) {
        CompletableFuture<SendOutcome> outcome = new CompletableFuture<>();
        ApiFutures.addCallback(messaging.sendAsync(message(target.address(), notification)),
                new ApiFutureCallback<String>() {
                    @Override
                    public void onSuccess(String messageName) {
                        outcome.complete(new SendOutcome.Delivered());
                    }

                    @Override
                    public void onFailure(Throwable error) {
                        if (error instanceof FirebaseMessagingException e) {
                            outcome.complete(outcome(e));
                        } else {
                            outcome.completeExceptionally(error);
                        }
                    }
                }, MoreExecutors.directExecutor());
        return outcome;
    }

    /** The FCM message for one registration token (see the class comment). */
    static Message message(String token, OutgoingNotification notification) {
        JsonNode parley;
        try {
            parley = JSON.readTree(notification.payload());
        } catch (IOException e) {
            parley = JSON.createObjectNode();
        }
        String title = parley.path("title").asText("Parley");
        String body = parley.path("body").asText("New message");
        return Message.builder()
                .setToken(token)
                .setNotification(Notification.builder().setTitle(title).setBody(body).build())
                .setAndroidConfig(AndroidConfig.builder()
                        .setCollapseKey(notification.topic())
                        .setPriority(AndroidConfig.Priority.HIGH)
                        .setTtl(TTL_MILLIS)
                        .setNotification(AndroidNotification.builder().setTag(notification.topic()).build())
                        .build())
                .putData("parley", notification.payload())
                .build();
    }

    /** How an FCM error is handled (see the class comment); the reason holds the error code, never the token. */
    static SendOutcome outcome(FirebaseMessagingException e) {
        MessagingErrorCode code = e.getMessagingErrorCode();
        int status = e.getHttpResponse() == null ? 0 : e.getHttpResponse().getStatusCode();
        String said = "FCM " + (status == 0 ? "" : status + " ") + (code != null ? code.name() : e.getErrorCode().name());
        if (code == MessagingErrorCode.UNREGISTERED) {
            return new SendOutcome.Gone(said);
        }
        if (code == MessagingErrorCode.UNAVAILABLE || code == MessagingErrorCode.INTERNAL
                || code == MessagingErrorCode.QUOTA_EXCEEDED) {
            return new SendOutcome.Retry(said);
        }
        if (code != null) {
            return new SendOutcome.Rejected(said);
        }
        if (status == 0) {
            return new SendOutcome.Retry(said); // no answer: a network failure
        }
        return SendOutcome.ofStatus(status, false) instanceof SendOutcome.Retry ? new SendOutcome.Retry(said)
                : new SendOutcome.Rejected(said);
    }

    @Override
    public void close() {
        app.delete();
    }
}
