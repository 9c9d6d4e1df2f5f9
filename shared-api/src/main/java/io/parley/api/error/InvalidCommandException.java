package io.parley.api.error;

/**
 * The command itself is malformed or breaks a limit (blank text, text too long, bad username).
 * The edge answers 400 / BAD_FRAME.
 */
public class InvalidCommandException extends DomainException {

    public InvalidCommandException(String message) {
        super(ErrorKind.INVALID, message);
    }
}
