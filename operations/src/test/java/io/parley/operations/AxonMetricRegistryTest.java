package io.parley.operations;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.Message;
import org.axonframework.micrometer.GlobalMetricRegistry;
import org.axonframework.monitoring.MessageMonitor;
import org.axonframework.queryhandling.GenericQueryMessage;
import org.axonframework.queryhandling.QueryBus;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class AxonMetricRegistryTest {

    record SendMessage(String text) {
    }

    record MessageSent(String text) {
    }

    record FindMessages(String conversationId) {
    }

    @ParameterizedTest(name = "dimensional: {0}")
    @ValueSource(booleans = {true, false})
    void registersAxonsMetersWithTheirNamesAndTagsButNoCapacityGauge(boolean dimensional) {
        MeterRegistry axons = new SimpleMeterRegistry();
        MeterRegistry ours = new SimpleMeterRegistry();

        monitorOneOfEach(new GlobalMetricRegistry(axons), dimensional);
        monitorOneOfEach(new AxonMetricRegistry(ours), dimensional);

        Set<String> expected = ids(axons).stream().filter(id -> !id.contains(".capacity"))
                .collect(Collectors.toSet());
        assertThat(ids(axons)).anyMatch(id -> id.contains(".capacity")); // what this registry leaves out
        assertThat(ids(ours)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @ParameterizedTest(name = "dimensional: {0}")
    @ValueSource(booleans = {true, false})
    void countsAndTimesEveryMessageAsAxonDoes(boolean dimensional) {
        MeterRegistry axons = new SimpleMeterRegistry();
        MeterRegistry ours = new SimpleMeterRegistry();

        for (GlobalMetricRegistry registry : List.of(new GlobalMetricRegistry(axons), new AxonMetricRegistry(ours))) {
            MessageMonitor<Message<?>> commandBus = monitor(registry, CommandBus.class, "commandBus", dimensional);
            MessageMonitor<Message<?>> processor = monitor(registry, EventProcessor.class, "conversation-projection",
                    dimensional);
            for (int i = 0; i < 3; i++) {
                commandBus.onMessageIngested(GenericCommandMessage.asCommandMessage(new SendMessage("hi")))
                        .reportSuccess();
                processor.onMessageIngested(GenericEventMessage.asEventMessage(new MessageSent("hi"))).reportSuccess();
            }
            commandBus.onMessageIngested(GenericCommandMessage.asCommandMessage(new SendMessage("no")))
                    .reportFailure(new IllegalStateException("refused"));
            commandBus.onMessageIngested(GenericCommandMessage.asCommandMessage(new FindMessages("c1")))
                    .reportSuccess();
            processor.onMessageIngested(GenericEventMessage.asEventMessage(new FindMessages("c1"))).reportIgnored();
            processor.onMessageIngested(GenericEventMessage.asEventMessage(new MessageSent("x")));
        }

        assertThat(counts(ours)).isEqualTo(counts(axons).entrySet().stream()
                .filter(meter -> !meter.getKey().contains(".capacity"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        assertThat(counts(ours)).containsEntry("commandBus.successCounter" + (dimensional
                ? "[tag(payloadType=SendMessage)]" : "[]"), 3.0 + (dimensional ? 0 : 1));
    }

    @ParameterizedTest(name = "dimensional: {0}")
    @ValueSource(booleans = {true, false})
    void gaugesHowFarBehindItsTimestampTheLastEventAProcessorTookInWas(boolean dimensional) {
        MeterRegistry axons = new SimpleMeterRegistry();
        MeterRegistry ours = new SimpleMeterRegistry();

        for (GlobalMetricRegistry registry : List.of(new GlobalMetricRegistry(axons), new AxonMetricRegistry(ours))) {
            MessageMonitor<Message<?>> processor = monitor(registry, EventProcessor.class, "conversation-projection",
                    dimensional);
            for (long secondsAgo : new long[] {60, 5}) {
                processor.onMessageIngested(new GenericEventMessage<>(UUID.randomUUID().toString(),
                        new MessageSent("hi"), Map.of(), Instant.now().minusSeconds(secondsAgo))).reportSuccess();
            }
        }

        String name = dimensional ? "eventProcessor.latency" : "conversation-projection.latency";
        assertThat(axons.get(name).gauge().value()).isBetween(5_000.0, 6_000.0);
        assertThat(ours.get(name).gauge().value()).isBetween(5_000.0, 6_000.0);
    }

    private static void monitorOneOfEach(GlobalMetricRegistry registry, boolean dimensional) {
        monitor(registry, CommandBus.class, "commandBus", dimensional)
                .onMessageIngested(GenericCommandMessage.asCommandMessage(new SendMessage("hi"))).reportSuccess();
        monitor(registry, EventBus.class, "eventStore", dimensional)
                .onMessageIngested(GenericEventMessage.asEventMessage(new MessageSent("hi"))).reportSuccess();
        monitor(registry, EventProcessor.class, "conversation-projection", dimensional)
                .onMessageIngested(GenericEventMessage.asEventMessage(new MessageSent("hi"))).reportSuccess();
        monitor(registry, QueryBus.class, "queryBus", dimensional)
                .onMessageIngested(new GenericQueryMessage<>(new FindMessages("c1"),
                        ResponseTypes.instanceOf(String.class))).reportSuccess();
    }

    @SuppressWarnings("unchecked") // each is given the messages of its component
    private static MessageMonitor<Message<?>> monitor(GlobalMetricRegistry registry, Class<?> type, String name,
                                                      boolean dimensional) {
        return (MessageMonitor<Message<?>>) (dimensional ? registry.registerComponentWithDefaultTags(type, name)
                : registry.registerComponent(type, name));
    }

    /** Each counter's count and each timer's number of recorded times, by meter id. */
    private static Map<String, Double> counts(MeterRegistry registry) {
        return registry.getMeters().stream()
                .filter(meter -> meter instanceof Counter || meter instanceof Timer)
                .collect(Collectors.toMap(meter -> meter.getId().getName() + meter.getId().getTags(),
                        meter -> meter instanceof Counter counter ? counter.count() : (double) ((Timer) meter).count()));
    }

    private static Set<String> ids(MeterRegistry registry) {
        return registry.getMeters().stream().map(Meter::getId)
                .map(id -> id.getName() + id.getTags()).collect(Collectors.toSet());
    }
}
