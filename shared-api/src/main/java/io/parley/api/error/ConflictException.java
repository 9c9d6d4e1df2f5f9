package io.parley.api.error;

/**
 * The command contradicts what already exists (an id registered with different data, a full group).
 * The edge answers 409 / CONFLICT.
 */
public class ConflictException extends DomainException {

    public ConflictException(String message) {
        super(ErrorKind.CONFLICT, message);
    }
}
