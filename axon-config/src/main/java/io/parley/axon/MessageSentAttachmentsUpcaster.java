package io.parley.axon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.axonframework.serialization.upcasting.event.SingleEventUpcaster;

/**
 * {@code MessageSent} revision 1 → 2. Revision 1 carried {@code attachments} as a list of strings that no code ever
 * filled (the edge had no media); revision 2 carries {@code Attachment} objects. Each string, should one exist, becomes
 * an attachment whose {@code mediaId} and {@code name} are that string, of type {@code application/octet-stream}, size 0,
 * without thumbnail: nothing is known of it, and no media store holds it, so fetching it answers 404. Registered as a
 * Spring bean, which Axon's auto-configuration puts in the upcaster chain of the event store.
 */
public class MessageSentAttachmentsUpcaster extends SingleEventUpcaster {

    static final SimpleSerializedType REVISION_1 = new SimpleSerializedType(MessageSent.class.getName(), "1");
    static final SimpleSerializedType REVISION_2 = new SimpleSerializedType(MessageSent.class.getName(), "2");

    @Override
    protected boolean canUpcast(IntermediateEventRepresentation representation) {
        return REVISION_1.equals(representation.getType());
    }

    @Override
    protected IntermediateEventRepresentation doUpcast(IntermediateEventRepresentation representation) {
        return representation.upcastPayload(REVISION_2, JsonNode.class, MessageSentAttachmentsUpcaster::upcast);
    }

    static JsonNode upcast(JsonNode payload) {
        ObjectNode event = ((ObjectNode) payload).deepCopy();
        ArrayNode attachments = JsonNodeFactory.instance.arrayNode();
        JsonNode old = event.get("attachments");
        if (old != null && old.isArray()) {
            for (JsonNode id : old) {
                ObjectNode attachment = attachments.addObject();
                attachment.put("mediaId", id.asText());
                attachment.put("name", id.asText());
                attachment.put("contentType", "application/octet-stream");
                attachment.put("size", 0L);
                attachment.putNull("sha256");
                attachment.putNull("width");
                attachment.putNull("height");
                attachment.put("thumbnail", false);
            }
        }
        event.set("attachments", attachments);
        return event;
    }
}
