package io.parley.push.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of every error answer on HTTP, and the {@code code}/{@code message} pair of a socket {@code error} frame
 * (PROTOCOL.md). {@code code} is one of the {@link ErrorCode} names; {@code message} is readable by users and never
 * carries internals; {@code retryAfter} (Parley addition, HTTP body only with a 503 or 429, beside the
 * {@code Retry-After} header) is the least number of seconds to wait before trying again.
 */
public record ApiError(String code, String message,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Long retryAfter) {

    /** An answer without a retry hint. */
    public ApiError(String code, String message) {
        this(code, message, null);
    }

    public static ApiError of(ErrorCode code, String message) {
        return new ApiError(code.name(), message);
    }

    /** Classifies a failure for HTTP ({@code socket == false}) or for the socket. */
    public static ApiError from(Throwable error, boolean socket) {
        ErrorCode code = ErrorCode.classify(error, socket);
        return of(code, ErrorCode.messageOf(error, code));
    }
}
