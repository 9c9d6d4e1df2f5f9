package io.parley.api.error;

/**
 * The acting user may not do this (a non-member sending, a plain member removing others).
 * The edge answers 403 / FORBIDDEN.
 * <p>
 * Thrown by the command side; lives in the language module so that the edge can map it to a response
 * without depending on the command side. The message is written for users and may be shown as is.
 */
public class ForbiddenException extends RuntimeException {

    public ForbiddenException(String message) {
        super(message);
    }
}
