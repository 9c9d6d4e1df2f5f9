package io.parley.operations.tracing;

import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.tracing.NoOpSpanFactory;
import org.axonframework.tracing.Span;
import org.axonframework.tracing.SpanFactory;
import org.axonframework.tracing.SpanScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The span factory over a real OpenTelemetry SDK (Micrometer's bridge, as Spring Boot wires it) that exports into a
 * list: sampled traces continue through message metadata, untraced and unsampled messages cost no span.
 */
class TraceSpanFactoryTest {

    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final Supplier<String> NAME = () -> "EventFanout.deliver";

    final List<SpanData> exported = new CopyOnWriteArrayList<>();
    final SdkTracerProvider provider = SdkTracerProvider.builder()
            .setSampler(Sampler.parentBased(Sampler.alwaysOff()))
            .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> spans) {
                    exported.addAll(spans);
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            })).build();
    final io.opentelemetry.api.trace.Tracer otel = provider.get("test");
    final Tracer tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> { });
    final TraceSpanFactory spans = new TraceSpanFactory(tracer,
            new OtelPropagator(ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel));

    @AfterEach
    void close() {
        provider.close();
    }

    @Test
    void anEventCarryingASampledTraceIsHandledInThatTraceAndWhatItCausesCarriesItOn() {
        EventMessage<?> event = event("00-" + TRACE + "-00f067aa0ba902b7-01");

        Span span = spans.createChildHandlerSpan(NAME, event).start();
        EventMessage<?> caused;
        try (SpanScope ignored = span.makeCurrent()) {
            caused = spans.propagateContext(GenericEventMessage.asEventMessage("caused"));
        } finally {
            span.end();
        }

        assertThat(exported).singleElement().satisfies(data -> {
            assertThat(data.getTraceId()).isEqualTo(TRACE);
            assertThat(data.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
            assertThat(data.getName()).isEqualTo("EventFanout.deliver");
        });
        assertThat((String) caused.getMetaData().get("traceparent"))
                .isEqualTo("00-" + TRACE + "-" + exported.get(0).getSpanId() + "-01");
    }

    @Test
    void untracedAndUnsampledMessagesGetAxonsNoOpSpanAndNoMetadata() {
        EventMessage<?> untraced = GenericEventMessage.asEventMessage("plain");
        EventMessage<?> unsampled = event("00-" + TRACE + "-00f067aa0ba902b7-00");

        assertThat(spans.createChildHandlerSpan(NAME, untraced)).isSameAs(NoOpSpanFactory.NoOpSpan.INSTANCE);
        assertThat(spans.createChildHandlerSpan(NAME, unsampled)).isSameAs(NoOpSpanFactory.NoOpSpan.INSTANCE);
        assertThat(spans.createInternalSpan(NAME, untraced)).isSameAs(NoOpSpanFactory.NoOpSpan.INSTANCE);
        assertThat(spans.propagateContext(untraced)).isSameAs(untraced);
        // a replayed event (Axon asks for a linked trace) gets none
        assertThat(spans.createLinkedHandlerSpan(NAME, event("00-" + TRACE + "-00f067aa0ba902b7-01")))
                .isSameAs(NoOpSpanFactory.NoOpSpan.INSTANCE);
        assertThat(exported).isEmpty();
    }

    /**
     * What handling an untraced event costs with tracing on, beside Axon's no-op factory (tracing off): printed, as
     * the measure of the hot path's price; asserted only to stay within a generous bound (no span, no allocation
     * beyond a map look-up).
     */
    @Test
    void anUntracedEventCostsAMapLookUpMoreThanWithTracingOff() {
        EventMessage<?> untraced = GenericEventMessage.asEventMessage("plain");
        long off = nanosPerEvent(NoOpSpanFactory.INSTANCE, untraced);
        long on = nanosPerEvent(spans, untraced);
        long unsampled = nanosPerEvent(spans, event("00-" + TRACE + "-00f067aa0ba902b7-00"));
        System.out.printf("span per untraced event: tracing off %d ns, on %d ns, on with an unsampled trace %d ns%n",
                off, on, unsampled);
        assertThat(on).isLessThan(off + 2_000);
        assertThat(exported).isEmpty();
    }

    private static long nanosPerEvent(SpanFactory factory, EventMessage<?> event) {
        int rounds = 2_000_000;
        long best = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 5; attempt++) {
            long start = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                Span span = factory.createChildHandlerSpan(NAME, event).start();
                try (SpanScope ignored = span.makeCurrent()) {
                    span.addAttribute("i", "x");
                } finally {
                    span.end();
                }
            }
            best = Math.min(best, (System.nanoTime() - start) / rounds);
        }
        return best;
    }

    private static EventMessage<?> event(String traceparent) {
        return GenericEventMessage.asEventMessage("payload")
                .andMetaData(MetaData.from(Map.of("traceparent", traceparent, "correlationId", "c-1")));
    }
}
