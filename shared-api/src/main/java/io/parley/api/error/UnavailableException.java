package io.parley.api.error;

/**
 * The answer cannot be given correctly right now, and a retry in a moment will succeed: for example a read model that
 * has not yet caught up with writes already acknowledged. The edge answers 503 / UNAVAILABLE.
 */
public class UnavailableException extends DomainException {

    public UnavailableException(String message) {
        super(ErrorKind.UNAVAILABLE, message);
    }
}
