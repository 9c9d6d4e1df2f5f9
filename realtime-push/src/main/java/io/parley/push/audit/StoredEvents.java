package io.parley.push.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.eventstore.audit.HashChain;
import io.parley.eventstore.audit.StoredEvent;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.UnknownSerializedType;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns stored event rows into what auditors and analysts read: the payload deserialized with the event serializer
 * (so encrypted message text is decrypted, or null once its key is erased) and written as JSON, the metadata as
 * stored.
 */
@Component
public class StoredEvents {

    /** An event read from its row: the payload object and whether its text was erased. */
    public record Read(StoredEvent row, Object payload, boolean erased) {
    }

    /** Prefix of an encrypted text field in a stored payload. */
    static final String ENCRYPTED_PREFIX = "enc:";

    private final Serializer serializer;
    private final ObjectMapper json;

    StoredEvents(@Qualifier("eventSerializer") Serializer serializer, ObjectMapper json) {
        this.serializer = serializer;
        this.json = json;
    }

    public Read read(StoredEvent row) {
        Object payload = serializer.deserialize(new SimpleSerializedObject<>(row.payload(), byte[].class,
                row.payloadType(), row.payloadRevision()));
        boolean erased = false;
        if (!(payload instanceof UnknownSerializedType)) {
            JsonNode stored = tree(row.payload());
            JsonNode text = stored.path("text");
            erased = text.isTextual() && text.asText().startsWith(ENCRYPTED_PREFIX)
                    && json.valueToTree(payload).path("text").isNull();
        }
        return new Read(row, payload, erased);
    }

    /** One line of the audit or analytics output. */
    public ObjectNode line(Read read, boolean includeText) {
        StoredEvent row = read.row();
        ObjectNode line = json.createObjectNode();
        line.put("globalIndex", row.globalIndex());
        line.put("aggregateId", row.aggregateIdentifier());
        line.put("sequence", row.sequenceNumber());
        line.put("eventId", row.eventIdentifier());
        String type = row.payloadType();
        line.put("type", type.substring(Math.max(type.lastIndexOf('.'), type.lastIndexOf('$')) + 1));
        line.put("payloadType", type);
        line.put("revision", row.payloadRevision());
        line.put("timestamp", row.timestamp());
        JsonNode payload = read.payload() instanceof UnknownSerializedType
                ? tree(row.payload()) : json.valueToTree(read.payload());
        if (payload instanceof ObjectNode object && object.has("text")) {
            if (!includeText) {
                object.remove("text");
            } else if (read.erased()) {
                object.put("erased", true);
            }
        }
        line.set("payload", payload);
        line.set("metadata", HashChain.tree(row.metadata()));
        return line;
    }

    private JsonNode tree(byte[] bytes) {
        try {
            return json.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
