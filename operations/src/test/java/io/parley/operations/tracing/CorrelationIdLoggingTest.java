package io.parley.operations.tracing;

import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CorrelationIdLoggingTest {

    @Test
    void aCommandHandlerLogsWithTheCorrelationIdOfItsCommandAndTheThreadIsLeftClean() {
        SimpleCommandBus bus = SimpleCommandBus.builder().build();
        bus.registerHandlerInterceptor(new CorrelationIdLogging());
        bus.subscribe(String.class.getName(), (CommandMessage<?> command) -> String.valueOf(MDC.get("correlationId")));
        DefaultCommandGateway gateway = DefaultCommandGateway.builder().commandBus(bus).build();

        Object seen = gateway.sendAndWait(GenericCommandMessage.asCommandMessage("hello")
                .andMetaData(MetaData.from(Map.of("correlationId", "c-1"))));
        Object seenWithout = gateway.sendAndWait("hello");

        assertThat(seen).isEqualTo("c-1");
        assertThat(seenWithout).isEqualTo("null");
        assertThat(MDC.get("correlationId")).isNull();
    }
}
