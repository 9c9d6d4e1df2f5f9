package io.parley.notify.sender;

/** What a platform answered to one send. */
public sealed interface SendOutcome {

    /** Accepted: done. */
    record Delivered() implements SendOutcome {
    }

    /** The target no longer exists (Web Push 404/410, webhook 410, FCM UNREGISTERED, APNs Unregistered): remove it. */
    record Gone(String reason) implements SendOutcome {
    }

    /** A passing failure (5xx, 429, 408, timeout, connection refused): try again after a backoff. */
    record Retry(String reason) implements SendOutcome {
    }

    /** Refused for good (another 4xx): trying again would not help, so it becomes a dead letter at once. */
    record Rejected(String reason) implements SendOutcome {
    }

    /** The usual reading of an HTTP status; {@code goneStatuses} are those that mean the target is gone. */
    static SendOutcome ofStatus(int status, boolean notFoundIsGone) {
        if (status >= 200 && status < 300) {
            return new Delivered();
        }
        if (status == 410 || (notFoundIsGone && status == 404)) {
            return new Gone("HTTP " + status);
        }
        if (status == 408 || status == 429 || status >= 500) {
            return new Retry("HTTP " + status);
        }
        return new Rejected("HTTP " + status);
    }
}
