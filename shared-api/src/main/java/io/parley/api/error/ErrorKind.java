package io.parley.api.error;

/**
 * The kinds of failure a caller is told about, one for each answer the edge gives. The edge maps them to its codes
 * and statuses (realtime-push {@code ErrorCode}); every other failure is an internal error.
 */
public enum ErrorKind {

    /** The command or request itself is malformed or breaks a limit: 400, {@code BAD_REQUEST} / {@code BAD_FRAME}. */
    INVALID,
    /** The acting user may not do this: 403. */
    FORBIDDEN,
    /** It names something that does not exist: 404. */
    NOT_FOUND,
    /** It contradicts what already exists, or what changed meanwhile: 409. */
    CONFLICT,
    /** It cannot be answered correctly right now; a retry in a moment will succeed: 503. */
    UNAVAILABLE
}
