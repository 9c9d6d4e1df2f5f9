package io.parley.push.web;

import java.time.Duration;
import java.util.Objects;

/**
 * A failure the edge itself decides on (bad credentials, throttling), answered with the given code. Domain rules use
 * the exceptions of {@code io.parley.api.error} instead; this is for what only the edge knows.
 */
public class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final Duration retryAfter;

    public ApiException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /** @param retryAfter sent as {@code Retry-After} (whole seconds, rounded up) when not null */
    public ApiException(ErrorCode code, String message, Duration retryAfter) {
        super(message, null, false, false); // an expected answer, not a bug: no stack trace to fill
        this.code = Objects.requireNonNull(code);
        this.retryAfter = retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    /** How long the client should wait before trying again, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
