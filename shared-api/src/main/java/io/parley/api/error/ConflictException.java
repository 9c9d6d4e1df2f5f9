package io.parley.api.error;

/**
 * The command contradicts what already exists (an id registered with different data, a full group).
 * The edge answers 409 / CONFLICT.
 * <p>
 * Thrown by the command side; lives in the language module so that the edge can map it to a response
 * without depending on the command side. The message is written for users and may be shown as is.
 */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }
}
