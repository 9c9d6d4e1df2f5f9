package io.parley.api.error;

/**
 * The command itself is malformed or breaks a limit (blank text, text too long, bad username).
 * The edge answers 400 / BAD_FRAME.
 * <p>
 * Thrown by the command side; lives in the language module so that the edge can map it to a response
 * without depending on the command side. The message is written for users and may be shown as is.
 */
public class InvalidCommandException extends RuntimeException {

    public InvalidCommandException(String message) {
        super(message);
    }
}
