package io.parley.notify.sender;

import io.parley.notify.PushTarget;
import io.parley.notify.TargetAddresses;
import io.parley.notify.TargetKind;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * Webhooks, for bots and integrations: the notification as a JSON POST to the registered URL, signed with the target's
 * secret. Headers: {@code X-Parley-Delivery} (the delivery id: the same on every retry, for de-duplication),
 * {@code X-Parley-Timestamp} (Unix seconds) and {@code X-Parley-Signature: sha256=HEX}, the HMAC-SHA256 of
 * {@code TIMESTAMP + "." + BODY} under the secret (the timestamp inside the signature lets a receiver refuse replays).
 * 2xx is accepted, 410 means the hook is gone, 408/429/5xx are retried, other statuses are refused for good.
 */
public class WebhookSender implements PushSender {

    public static final String SIGNATURE = "X-Parley-Signature";
    public static final String TIMESTAMP = "X-Parley-Timestamp";
    public static final String DELIVERY = "X-Parley-Delivery";

    private final HttpClient http;
    private final Duration timeout;
    private final TargetAddresses addresses;
    private final Clock clock;

    public WebhookSender(HttpClient http, Duration timeout, Clock clock, TargetAddresses addresses) {
        this.addresses = addresses;
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.WEBHOOK;
    }

    @Override
    public CompletableFuture<SendOutcome> send(PushTarget target, OutgoingNotification notification) {
        return Http.toPublicAddress(addresses, http, target, "url", () -> post(target, notification));
    }

    private CompletableFuture<SendOutcome> post(PushTarget target, OutgoingNotification notification) {
        String body = notification.payload();
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.address()))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header(DELIVERY, notification.deliveryId())
                .header(TIMESTAMP, timestamp)
                .header(SIGNATURE, "sha256=" + sign(target.secret(), timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        Http.version(request, target.address());
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                .thenApply(response -> SendOutcome.ofStatus(response.statusCode(), false));
    }

    /** HMAC-SHA256 of {@code timestamp + "." + body}, lower-case hex: what a receiver recomputes. */
    public static String sign(String secret, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
