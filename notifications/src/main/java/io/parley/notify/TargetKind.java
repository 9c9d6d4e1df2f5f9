package io.parley.notify;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The kinds of push target, with the names the API uses ({@code webpush}, {@code fcm}, {@code apns}, {@code webhook}). */
public enum TargetKind {
    WEB_PUSH("webpush"), FCM("fcm"), APNS("apns"), WEBHOOK("webhook");

    private final String wireName;

    TargetKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<TargetKind> fromWire(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(k -> k.wireName.equals(lower)).findFirst();
    }
}
