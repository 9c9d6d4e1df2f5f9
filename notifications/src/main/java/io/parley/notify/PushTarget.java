package io.parley.notify;

import java.time.Instant;

/**
 * A registered push target of a user.
 *
 * @param address the Web Push endpoint URL, the FCM registration token, the APNs device token or the webhook URL
 * @param p256dh  Web Push only: the subscription's public key (base64url), for RFC 8291 encryption
 * @param auth    Web Push only: the subscription's authentication secret (base64url)
 * @param secret  webhooks only: the HMAC-SHA256 key the receiver checks signatures with (shown once, at registration)
 */
public record PushTarget(String targetId, String userId, TargetKind kind, String address, String p256dh, String auth,
                         String secret, String label, Instant createdAt) {

    /** The same target without its secrets, for listings. */
    public PushTarget withoutSecrets() {
        return new PushTarget(targetId, userId, kind, address, p256dh, null, null, label, createdAt);
    }
}
