package io.parley.eventstore.audit;

import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.correlation.CorrelationDataProvider;

import java.util.Map;

/**
 * A {@link CorrelationDataProvider} that gives its delegate's correlation data for a command (or query) being handled
 * and none for an event being handled.
 * <p>
 * Axon asks the providers whenever a message is made inside a unit of work, and an event processor's unit of work makes
 * a result message for every event it handles, whether or not anything is dispatched: each processor deserialized every
 * event's metadata only to build correlation data that was thrown away (2.9% of the server's CPU at 5,000 msg/s,
 * docs/benchmark.md, "twenty-eighth stop"). No event handler in Parley dispatches a command, a query or an event; the
 * origin of what a command causes (user, connection, client address, correlation and causation ids) is copied while the
 * command is handled, as before. A handler that comes to dispatch from an event (a saga, a process manager) must get the
 * event's correlation data back, by dropping this wrapper; so must an aggregate's {@code @DeadlineHandler} (Axon's
 * {@code DeadlineMessage} is an event message), none of which exists here.
 */
public final class UncorrelatedEvents implements CorrelationDataProvider {

    private final CorrelationDataProvider delegate;

    public UncorrelatedEvents(CorrelationDataProvider delegate) {
        this.delegate = delegate;
    }

    @Override
    public Map<String, ?> correlationDataFor(Message<?> message) {
        return message instanceof EventMessage<?> ? Map.of() : delegate.correlationDataFor(message);
    }
}
