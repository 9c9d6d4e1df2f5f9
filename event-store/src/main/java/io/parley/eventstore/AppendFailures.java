package io.parley.eventstore;

import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;

import java.sql.SQLException;

/**
 * Axon's JDBC storage engine, saying what really failed when an append fails.
 * <p>
 * Axon 4.13 words every failed append of a domain event after the first of its aggregate as "An event for aggregate
 * [...] at sequence [...] was already inserted", also when the database connection broke or the disk is full (its
 * {@code buildExceptionMessage} runs before it asks whether the failure was a duplicate key), and its
 * {@code JdbcSQLErrorCodesResolver} knows a duplicate key only as {@link java.sql.SQLIntegrityConstraintViolationException},
 * which the PostgreSQL driver never throws. Here a duplicate key (that class, or SQLState {@code 23505},
 * unique_violation, on H2 and PostgreSQL alike) stays Axon's {@code ConcurrencyException} (a concurrent append: the
 * command may be retried); anything else is an {@link EventStoreException} naming the event and the database's own
 * reason.
 */
final class AppendFailures extends JdbcEventStorageEngine {

    private static final String UNIQUE_VIOLATION = "23505";

    private final PersistenceExceptionResolver duplicates;

    private AppendFailures(Builder builder, PersistenceExceptionResolver duplicates) {
        super(builder);
        this.duplicates = duplicates;
    }

    /** The engine {@code builder} describes, with {@code resolver} extended to PostgreSQL's duplicate keys. */
    static JdbcEventStorageEngine build(Builder builder, PersistenceExceptionResolver resolver) {
        PersistenceExceptionResolver duplicates = duplicateKeys(resolver);
        builder.persistenceExceptionResolver(duplicates);
        return new AppendFailures(builder, duplicates);
    }

    static PersistenceExceptionResolver duplicateKeys(PersistenceExceptionResolver axons) {
        return exception -> (axons != null && axons.isDuplicateKeyViolation(exception)) || hasUniqueViolation(exception);
    }

    @Override
    protected void handlePersistenceException(Exception exception, EventMessage<?> failedEvent) {
        if (duplicates.isDuplicateKeyViolation(exception)) {
            super.handlePersistenceException(exception, failedEvent); // "already inserted": true this time
            return;
        }
        String event = failedEvent instanceof DomainEventMessage<?> domain
                ? "event " + domain.getSequenceNumber() + " of aggregate " + domain.getAggregateIdentifier()
                : "event " + failedEvent.getIdentifier();
        throw new EventStoreException("could not store " + event + ": " + reason(exception), exception);
    }

    private static boolean hasUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message, with the SQLState when the database gave one (08xxx: the connection failed). */
    private static String reason(Throwable failure) {
        Throwable innermost = failure;
        String state = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            innermost = t;
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                state = sql.getSQLState();
            }
        }
        String message = innermost.getMessage() == null ? innermost.getClass().getSimpleName() : innermost.getMessage();
        return state == null ? message : message + " (SQLState " + state + ")";
    }
}
