package io.parley.api.error;

/**
 * The command names something that does not exist (a message seq beyond the conversation).
 * The edge answers 404 / NOT_FOUND.
 * <p>
 * Thrown by the command side; lives in the language module so that the edge can map it to a response
 * without depending on the command side. The message is written for users and may be shown as is.
 */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String message) {
        super(message);
    }
}
