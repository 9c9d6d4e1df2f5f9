package io.parley.api.error;

/**
 * The acting user may not do this (a non-member sending, a plain member removing others).
 * The edge answers 403 / FORBIDDEN.
 */
public class ForbiddenException extends DomainException {

    public ForbiddenException(String message) {
        super(ErrorKind.FORBIDDEN, message);
    }
}
