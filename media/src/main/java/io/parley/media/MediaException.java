package io.parley.media;

/**
 * A media request refused for a reason the user is told. {@link Problem} says which answer the edge gives (its
 * status); the message is written for users and never names a storage key, a path or a credential.
 */
public class MediaException extends RuntimeException {

    /** Why a request was refused; the edge maps each to its error code. */
    public enum Problem {
        /** Malformed or contradicting input, e.g. the bytes are not of the declared kind (400). */
        INVALID,
        /** Not the caller's media, or not in a conversation the caller is a member of (403). */
        FORBIDDEN,
        /** No such media, not finished, or deleted (404). */
        NOT_FOUND,
        /** Completed twice, or changed meanwhile (409). */
        CONFLICT,
        /** Over a size limit or the user's quota (413). */
        TOO_LARGE,
        /** Too many uploads started in the last minute (429). */
        RATE_LIMITED,
        /** Refused by the virus scanner or as a decompression bomb (422-like; the edge answers 400). */
        REJECTED
    }

    private final Problem problem;

    public MediaException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
