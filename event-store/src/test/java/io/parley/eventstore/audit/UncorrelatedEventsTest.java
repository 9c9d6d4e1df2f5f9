package io.parley.eventstore.audit;

import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.correlation.MessageOriginProvider;
import org.axonframework.messaging.correlation.SimpleCorrelationDataProvider;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class UncorrelatedEventsTest {

    private final UncorrelatedEvents origin = new UncorrelatedEvents(
            new MessageOriginProvider(AuditMetadata.CORRELATION_ID, AuditMetadata.CAUSATION_ID));
    private final UncorrelatedEvents copier = new UncorrelatedEvents(
            new SimpleCorrelationDataProvider(AuditMetadata.ORIGIN_KEYS.toArray(String[]::new)));

    @Test
    void whatACommandCausesCarriesItsOriginAndCorrelation() {
        GenericCommandMessage<String> command = new GenericCommandMessage<>("send")
                .andMetaData(MetaData.with(AuditMetadata.USER_ID, "alice").and("ignored", "x"));

        Map<String, Object> copied = Map.copyOf(copier.correlationDataFor(command));
        Map<String, Object> correlated = Map.copyOf(origin.correlationDataFor(command));

        assertThat(copied).isEqualTo(Map.of(AuditMetadata.USER_ID, "alice"));
        assertThat(correlated).containsEntry(AuditMetadata.CAUSATION_ID, command.getIdentifier())
                .containsKey(AuditMetadata.CORRELATION_ID);
    }

    /** The metadata of an event being handled is not even read: here reading it would throw. */
    @Test
    void anEventBeingHandledGivesNoCorrelationDataAndItsMetadataIsNotRead() {
        EventMessage<?> event = unreadableMetadata(GenericEventMessage.asEventMessage("sent"));

        assertThat(origin.correlationDataFor(event)).isEmpty();
        assertThat(copier.correlationDataFor(event)).isEmpty();
    }

    /** An event processor's unit of work makes a message for every event it handles: it gets nothing to copy. */
    @Test
    void aMessageMadeWhileAnEventIsHandledCarriesNoCorrelationData() {
        DefaultUnitOfWork<EventMessage<?>> unitOfWork = DefaultUnitOfWork.startAndGet(
                unreadableMetadata(GenericEventMessage.asEventMessage("sent")));
        try {
            unitOfWork.registerCorrelationDataProvider(origin);
            unitOfWork.registerCorrelationDataProvider(copier);

            assertThat(unitOfWork.getCorrelationData()).isEmpty();
        } finally {
            unitOfWork.rollback();
        }
    }

    private static EventMessage<?> unreadableMetadata(EventMessage<?> event) {
        return (EventMessage<?>) Proxy.newProxyInstance(EventMessage.class.getClassLoader(),
                new Class<?>[]{EventMessage.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getMetaData")) {
                        throw new AssertionError("the event's metadata was read");
                    }
                    return method.invoke(event, args);
                });
    }
}
