package io.parley.operations.tracing;

import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.slf4j.MDC;

/**
 * Names the correlation id of the command being handled in the logging context ({@code correlationId} in MDC), traced
 * or not, so that a line logged by a command handler can be matched to the request that caused it. Two map operations
 * per command; event handlers get it only inside a span of a sampled trace ({@link TraceSpanFactory}).
 */
public class CorrelationIdLogging implements MessageHandlerInterceptor<CommandMessage<?>> {

    @Override
    public Object handle(UnitOfWork<? extends CommandMessage<?>> unitOfWork, InterceptorChain interceptorChain)
            throws Exception {
        Object correlationId = unitOfWork.getMessage().getMetaData().get(TraceSpanFactory.CORRELATION_ID);
        if (!(correlationId instanceof String id)) {
            return interceptorChain.proceed();
        }
        String previous = MDC.get(TraceSpanFactory.CORRELATION_ID);
        MDC.put(TraceSpanFactory.CORRELATION_ID, id);
        try {
            return interceptorChain.proceed();
        } finally {
            if (previous != null) {
                MDC.put(TraceSpanFactory.CORRELATION_ID, previous);
            } else {
                MDC.remove(TraceSpanFactory.CORRELATION_ID);
            }
        }
    }
}
