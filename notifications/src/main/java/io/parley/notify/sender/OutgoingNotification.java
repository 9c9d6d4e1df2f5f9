package io.parley.notify.sender;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * One notification on its way to one target.
 *
 * @param deliveryId     unique per notification and target; webhooks get it as an idempotency key
 * @param conversationId what it is about; notifications of one conversation replace each other
 * @param payload        the JSON the client shows (docs: README, "Push notifications")
 */
public record OutgoingNotification(String deliveryId, String conversationId, String payload) {

    /**
     * The collapse key of the conversation: Web Push {@code Topic}, FCM {@code collapse_key}, APNs
     * {@code apns-collapse-id}. RFC 8030 allows at most 32 characters of the URL-safe base64 alphabet, so it is the
     * first 24 bytes of the id's SHA-256 (an id itself may be longer or hold other characters).
     */
    public String topic() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(conversationId.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 24));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] payloadBytes() {
        return payload.getBytes(StandardCharsets.UTF_8);
    }
}
