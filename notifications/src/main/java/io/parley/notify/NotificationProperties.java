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
 * @param allowPlainHttp       accept {@code http://} and loopback endpoints (tests, a webhook on the same host);
 *                             off by default: targets must be {@code https://}
 * @param maxTargetsPerUser    push targets one user may register
 * @param webPush              the VAPID identity of this server
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
                                     @DefaultValue("20") int maxTargetsPerUser,
                                     @DefaultValue WebPush webPush) {

    /**
     * @param subject    the contact the push services see in the VAPID token ({@code mailto:} or {@code https:} URL)
     * @param publicKey  the VAPID public key (base64url, uncompressed P-256 point, 65 bytes); with {@code privateKey}
     * @param privateKey the VAPID private key (base64url, 32 bytes); never logged
     * @param keyFile    where generated keys are kept when none are configured (default: {@code vapid-keys.properties}
     *                   in {@code parley.data-dir})
     */
    public record WebPush(@DefaultValue("mailto:operator@parley.invalid") String subject, String publicKey,
                          String privateKey, String keyFile) {
    }
}
