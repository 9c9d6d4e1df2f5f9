package io.parley.push.web;

/**
 * The body of every error answer on HTTP, and the {@code code}/{@code message} pair of a socket {@code error} frame
 * (PROTOCOL.md). {@code code} is one of the {@link ErrorCode} names; {@code message} is readable by users and never
 * carries internals.
 */
public record ApiError(String code, String message) {

    public static ApiError of(ErrorCode code, String message) {
        return new ApiError(code.name(), message);
    }

    /** Classifies a failure for HTTP ({@code socket == false}) or for the socket. */
    public static ApiError from(Throwable error, boolean socket) {
        ErrorCode code = ErrorCode.classify(error, socket);
        return of(code, ErrorCode.messageOf(error, code));
    }
}
