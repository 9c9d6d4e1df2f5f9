package io.parley.api.error;

/**
 * A failure whose meaning the caller is told: its {@link ErrorKind} and a message written for users. Thrown by the
 * command and query sides and by the edge; it lives in the language module so that every side knows the kinds
 * without depending on the others. Across processes only its {@link #details()} travel, never its class.
 */
public abstract class DomainException extends RuntimeException {

    private final ErrorKind kind;

    protected DomainException(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }

    public ErrorDetails details() {
        return new ErrorDetails(kind, getMessage());
    }
}
