package io.parley.axon;

import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.media.Attachment;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;
import org.axonframework.serialization.upcasting.event.InitialEventRepresentation;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class MessageSentAttachmentsUpcasterTest {

    private final JacksonSerializer serializer = JacksonSerializer.defaultSerializer();

    @Test
    void aMessageSentStoredAtRevision1ReadsAsRevision2WithNoAttachments() {
        MessageSent read = upcastAndRead("""
                {"conversationId":"c1","messageId":"m1","seq":3,"senderId":"u1","clientMsgId":"k1",
                 "text":"hello","attachments":[],"sentAt":"2026-01-01T00:00:00Z"}""");

        assertThat(read).isEqualTo(new MessageSent("c1", "m1", 3, "u1", "k1", "hello", List.of(),
                Instant.parse("2026-01-01T00:00:00Z")));
    }

    @Test
    void aStringAttachmentOfRevision1BecomesAnAttachmentNamedByIt() {
        MessageSent read = upcastAndRead("""
                {"conversationId":"c1","messageId":"m1","seq":3,"senderId":"u1","clientMsgId":"k1",
                 "text":"hello","attachments":["old-1"],"sentAt":"2026-01-01T00:00:00Z"}""");

        assertThat(read.attachments()).containsExactly(
                Attachment.of("old-1", "old-1", "application/octet-stream", 0, null, null, null, false));
    }

    private MessageSent upcastAndRead(String json) {
        GenericDomainEventEntry<byte[]> entry = new GenericDomainEventEntry<>("Conversation", "c1", 3, "e1",
                Instant.now(), MessageSent.class.getName(), "1", json.getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));
        Stream<IntermediateEventRepresentation> upcast = new EventUpcasterChain(new MessageSentAttachmentsUpcaster())
                .upcast(Stream.of(new InitialEventRepresentation(entry, serializer)));
        IntermediateEventRepresentation result = upcast.findFirst().orElseThrow();
        assertThat(result.getType().getRevision()).isEqualTo("2");
        return serializer.deserialize(result.getData());
    }
}
