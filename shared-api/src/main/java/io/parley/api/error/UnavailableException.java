package io.parley.api.error;

/**
 * The answer cannot be given correctly right now, and a retry in a moment will succeed: for example a read model that
 * has not yet caught up with writes already acknowledged. The edge answers 503 / UNAVAILABLE.
 * The message is written for users and may be shown as is.
 */
public class UnavailableException extends RuntimeException {

    public UnavailableException(String message) {
        super(message);
    }
}
