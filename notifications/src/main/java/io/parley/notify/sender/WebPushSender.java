package io.parley.notify.sender;

import com.interaso.webpush.WebPush;
import io.parley.notify.PushTarget;
import io.parley.notify.TargetAddresses;
import io.parley.notify.TargetKind;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Web Push (RFC 8030) to a browser's push service: the payload encrypted for the subscription with {@code aes128gcm}
 * (RFC 8291) and the request signed with this server's VAPID key (RFC 8292), both by {@code com.interaso:webpush};
 * sent with the JDK's HTTP client. {@code Topic} is the conversation's collapse key, so a newer notification of a
 * conversation replaces one the push service still holds. 404 and 410 mean the subscription is gone.
 */
public class WebPushSender implements PushSender {

    /** How long a push service keeps an undelivered notification, in seconds (a day: older chat news is stale). */
    static final int TTL_SECONDS = 86_400;

    private final WebPush webPush;
    private final HttpClient http;
    private final Duration timeout;
    private final TargetAddresses addresses;

    public WebPushSender(VapidKeyring keys, HttpClient http, Duration timeout, TargetAddresses addresses) {
        this.addresses = addresses;
        this.webPush = new WebPush(keys.subject(), keys.keys());
        this.http = http;
        this.timeout = timeout;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.WEB_PUSH;
    }

    @Override
    public CompletableFuture<SendOutcome> send(PushTarget target, OutgoingNotification notification) {
        return Http.toPublicAddress(addresses, http, target, "endpoint", () -> post(target, notification));
    }

    private CompletableFuture<SendOutcome> post(PushTarget target, OutgoingNotification notification) {
        byte[] body = webPush.getBody(notification.payloadBytes(), decode(target.p256dh()), decode(target.auth()));
        Map<String, String> headers = webPush.getHeaders(target.address(), TTL_SECONDS, notification.topic(),
                WebPush.Urgency.High);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.address()))
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        Http.version(request, target.address());
        headers.forEach(request::header);
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                .thenApply(response -> SendOutcome.ofStatus(response.statusCode(), true));
    }

    private static byte[] decode(String base64Url) {
        return Base64.getUrlDecoder().decode(base64Url.trim().replace('+', '-').replace('/', '_').replace("=", ""));
    }
}
