package io.parley.operations.tracing;

import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.axonframework.messaging.Message;
import org.axonframework.tracing.NoOpSpanFactory;
import org.axonframework.tracing.Span;
import org.axonframework.tracing.SpanAttributesProvider;
import org.axonframework.tracing.SpanFactory;
import org.axonframework.tracing.SpanScope;
import org.slf4j.MDC;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Axon's spans as Micrometer Tracing spans, the trace context carried in each message's metadata under W3C's
 * {@code traceparent}: a command dispatched while a span is current gets that span's context, the events its handler
 * applies get the handler's, and whoever handles them later, in this process or another, continues the same trace.
 * <p>
 * Only sampled traces cost anything: a message without a {@code traceparent}, or with one whose sampled flag is off,
 * gets Axon's no-op span (no span object, no metadata added), so an event processor handling an untraced event does
 * what it did without tracing. A command dispatched with no context at all starts a trace of its own, which the
 * sampler may drop; the handlers downstream then see no context and do nothing.
 */
public class TraceSpanFactory implements SpanFactory {

    /** W3C Trace Context's header, here a metadata key. */
    public static final String TRACEPARENT = "traceparent";
    /** The MDC key of the correlation id ({@code correlationId} metadata) while a span of a message is current. */
    public static final String CORRELATION_ID = "correlationId";

    private static final Propagator.Getter<Map<String, ?>> METADATA = (metadata, key) -> {
        Object value = metadata.get(key);
        return value instanceof String text ? text : null;
    };

    private final Tracer tracer;
    private final Propagator propagator;
    private final List<SpanAttributesProvider> attributes = new CopyOnWriteArrayList<>();

    public TraceSpanFactory(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** Axon's batch traces of streaming processors are off; no other root trace is worth a span. */
    @Override
    public Span createRootTrace(Supplier<String> operationNameSupplier) {
        return NoOpSpanFactory.NoOpSpan.INSTANCE;
    }

    /**
     * A handler continues the trace its message carries (or the current one). Axon asks for a linked trace instead
     * (not a child) for what it judges too far from its cause, such as events older than
     * {@code axon.tracing.event-processor.distributed-in-same-trace-time-limit} during a replay: those get no span.
     */
    @Override
    public Span createHandlerSpan(Supplier<String> operationNameSupplier, Message<?> parentMessage,
                                  boolean isChildTrace, Message<?>... linkedParents) {
        if (!isChildTrace) {
            return NoOpSpanFactory.NoOpSpan.INSTANCE;
        }
        io.micrometer.tracing.Span.Builder builder = fromMessage(parentMessage);
        if (builder == null) {
            builder = childOfCurrent();
        }
        return builder == null ? NoOpSpanFactory.NoOpSpan.INSTANCE
                : new TraceSpan(named(builder, operationNameSupplier, parentMessage)
                .kind(io.micrometer.tracing.Span.Kind.CONSUMER), parentMessage);
    }

    /** A dispatch continues the current span, or the context the message came with, or starts a trace. */
    @Override
    public Span createDispatchSpan(Supplier<String> operationNameSupplier, Message<?> parentMessage,
                                   Message<?>... linkedSiblings) {
        io.micrometer.tracing.Span current = tracer.currentSpan();
        io.micrometer.tracing.Span.Builder builder;
        if (current != null) {
            if (!isSampled(current)) {
                return NoOpSpanFactory.NoOpSpan.INSTANCE;
            }
            builder = tracer.spanBuilder().setParent(current.context());
        } else if (parentMessage != null && parentMessage.getMetaData().containsKey(TRACEPARENT)) {
            builder = fromMessage(parentMessage);
            if (builder == null) {
                return NoOpSpanFactory.NoOpSpan.INSTANCE; // the caller's trace is not sampled
            }
        } else {
            builder = tracer.spanBuilder();
        }
        return new TraceSpan(named(builder, operationNameSupplier, parentMessage)
                .kind(io.micrometer.tracing.Span.Kind.PRODUCER), parentMessage);
    }

    @Override
    public Span createInternalSpan(Supplier<String> operationNameSupplier) {
        return createInternalSpan(operationNameSupplier, null);
    }

    /**
     * A step inside the current span; with no current span, a step on behalf of a message continues the trace the
     * message carries (Axon's local command dispatch is such a step: the edge's first span of a traced command).
     */
    @Override
    public Span createInternalSpan(Supplier<String> operationNameSupplier, Message<?> message) {
        io.micrometer.tracing.Span.Builder builder = tracer.currentSpan() == null ? fromMessage(message)
                : childOfCurrent();
        return builder == null ? NoOpSpanFactory.NoOpSpan.INSTANCE
                : new TraceSpan(named(builder, operationNameSupplier, message), message);
    }

    @Override
    public void registerSpanAttributeProvider(SpanAttributesProvider provider) {
        attributes.add(provider);
    }

    /** Puts the current span's context into the message's metadata, when there is a sampled one. */
    @Override
    public <M extends Message<?>> M propagateContext(M message) {
        io.micrometer.tracing.Span current = tracer.currentSpan();
        if (current == null || !isSampled(current)) {
            return message;
        }
        Map<String, String> context = new HashMap<>(2);
        propagator.inject(current.context(), context, Map::put);
        @SuppressWarnings("unchecked")
        M withContext = (M) message.andMetaData(context);
        return withContext;
    }

    /**
     * The span continuing the trace a message carries; null when it carries none or the trace is not sampled. The
     * sampled flag is read from the header itself (its last two hex digits), so an untraced message costs one map
     * look-up.
     */
    private io.micrometer.tracing.Span.Builder fromMessage(Message<?> message) {
        if (message == null) {
            return null;
        }
        Object traceparent = message.getMetaData().get(TRACEPARENT);
        if (!(traceparent instanceof String header) || !sampled(header)) {
            return null;
        }
        return propagator.extract(message.getMetaData(), METADATA);
    }

    private io.micrometer.tracing.Span.Builder childOfCurrent() {
        io.micrometer.tracing.Span current = tracer.currentSpan();
        if (current == null || !isSampled(current)) {
            return null;
        }
        return tracer.spanBuilder().setParent(current.context());
    }

    private io.micrometer.tracing.Span.Builder named(io.micrometer.tracing.Span.Builder builder, Supplier<String> name,
                                                     Message<?> message) {
        builder.name(name.get());
        if (message != null) {
            for (SpanAttributesProvider provider : attributes) {
                provider.provideForMessage(message).forEach(builder::tag);
            }
        }
        return builder;
    }

    private static boolean isSampled(io.micrometer.tracing.Span span) {
        return Boolean.TRUE.equals(span.context().sampled());
    }

    /** {@code 00-<trace id>-<parent id>-<flags>}: the sampled bit is the lowest of the flags. */
    static boolean sampled(String traceparent) {
        int length = traceparent.length();
        return length >= 55 && (Character.digit(traceparent.charAt(length - 1), 16) & 1) == 1;
    }

    /** Axon's span over a Micrometer span, started when Axon starts it; its scope also names the correlation id. */
    private final class TraceSpan implements Span {

        private final io.micrometer.tracing.Span.Builder builder;
        private final Object correlationId;
        private io.micrometer.tracing.Span span;

        private TraceSpan(io.micrometer.tracing.Span.Builder builder, Message<?> message) {
            this.builder = builder;
            this.correlationId = message == null ? null : message.getMetaData().get(CORRELATION_ID);
        }

        @Override
        public Span start() {
            if (span == null) {
                span = builder.start();
            }
            return this;
        }

        @Override
        public SpanScope makeCurrent() {
            start();
            Tracer.SpanInScope scope = tracer.withSpan(span);
            String previous = MDC.get(CORRELATION_ID);
            if (correlationId instanceof String id) {
                MDC.put(CORRELATION_ID, id);
            }
            return () -> {
                scope.close();
                if (previous != null) {
                    MDC.put(CORRELATION_ID, previous);
                } else {
                    MDC.remove(CORRELATION_ID);
                }
            };
        }

        @Override
        public void end() {
            if (span != null) {
                span.end();
            }
        }

        @Override
        public Span recordException(Throwable t) {
            if (span != null) {
                span.error(t);
            } else {
                builder.error(t);
            }
            return this;
        }

        @Override
        public Span addAttribute(String key, String value) {
            if (span != null) {
                span.tag(key, value);
            } else {
                builder.tag(key, value);
            }
            return this;
        }
    }
}
