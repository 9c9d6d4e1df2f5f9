package io.parley.axon;

import io.parley.api.error.ErrorDetails;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.UnitOfWork;

import java.util.Optional;

/**
 * Turns a command handler's failure that the caller may be told about (a domain exception, see
 * {@link ErrorDetails#of}) into Axon's {@link CommandExecutionException} carrying those details and no cause: the
 * form Axon Server delivers to a caller in another process, and the one our HTTP command bus carries. The edge thus
 * reads one shape in every mode, one process included. Other failures pass unchanged; the unit of work rolls back
 * either way.
 */
public class DomainErrorInterceptor implements MessageHandlerInterceptor<CommandMessage<?>> {

    @Override
    public Object handle(UnitOfWork<? extends CommandMessage<?>> unitOfWork, InterceptorChain chain) throws Exception {
        try {
            return chain.proceed();
        } catch (RuntimeException failure) {
            Optional<ErrorDetails> details = ErrorDetails.of(failure);
            if (details.isEmpty()) {
                throw failure;
            }
            throw new CommandExecutionException(failure.getMessage(), null, details.get());
        }
    }
}
