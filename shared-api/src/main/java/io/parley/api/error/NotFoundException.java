package io.parley.api.error;

/**
 * The command names something that does not exist (a message seq beyond the conversation).
 * The edge answers 404 / NOT_FOUND.
 */
public class NotFoundException extends DomainException {

    public NotFoundException(String message) {
        super(ErrorKind.NOT_FOUND, message);
    }
}
