package io.parley.query.conversation;

import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventMessageHandler;
import org.axonframework.eventhandling.ListenerInvocationErrorHandler;
import org.axonframework.eventhandling.LoggingErrorHandler;

/**
 * The conversation projection's error handler: a failure to write the messages a batch held
 * ({@link ConversationProjection.HeldWritesFailedException}) fails the whole batch, which Axon's streaming processor
 * then rolls back and handles again after a pause (every write is idempotent); any other handler's failure is logged
 * and the batch goes on, as Axon's default {@link LoggingErrorHandler} does.
 * <p>
 * Why the difference: a failing handler of one event loses that event's effect alone, but the held writes carry every
 * message of the batch (up to {@code parley.axon.processor-batch-size}, across conversations), which logging would lose
 * for good: with MongoDB nothing rolls them back, and the processor's token moves past them.
 */
public class HeldWritesErrorHandler implements ListenerInvocationErrorHandler {

    private final LoggingErrorHandler logging = new LoggingErrorHandler();

    @Override
    public void onError(Exception exception, EventMessage<?> event, EventMessageHandler eventHandler)
            throws Exception {
        if (exception instanceof ConversationProjection.HeldWritesFailedException) {
            throw exception;
        }
        logging.onError(exception, event, eventHandler);
    }
}
