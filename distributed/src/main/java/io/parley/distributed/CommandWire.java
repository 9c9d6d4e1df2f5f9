package io.parley.distributed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.api.error.ErrorDetails;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.CommandResultMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.GenericCommandResultMessage;
import org.axonframework.messaging.GenericMessage;
import org.axonframework.messaging.HandlerExecutionException;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Map;

/**
 * How a command and its result travel between a dispatching node and the command side over HTTP: a small JSON
 * envelope whose payload and metadata are serialized with Axon's message serializer (Jackson), so the wire format
 * is the one Axon uses for messages anyway.
 * <p>
 * A failure travels as Axon Server carries one: its message and its details ({@link HandlerExecutionException}), the
 * details serialized like a payload; the caller gets a {@link CommandExecutionException} with both and no cause. The
 * command side's {@code DomainErrorInterceptor} has put {@link ErrorDetails} on every domain error, so the edge
 * answers 403/404/409/400 exactly as in one process. A failure outside the handler, where the interceptor cannot see
 * it (the event store's unique key refusing a concurrent append at commit), gets its details here
 * ({@link ErrorDetails#of}). Anything else arrives with no details: an internal error for the edge.
 */
public final class CommandWire {

    private final Serializer serializer;
    private final ObjectMapper json = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public CommandWire(Serializer serializer) {
        this.serializer = serializer;
    }

    /** The command on the wire. */
    record CommandEnvelope(String name, String id, Blob payload, Blob metaData) {
    }

    /** The outcome on the wire: a result (possibly null), or an error. */
    record ResultEnvelope(Blob result, Blob metaData, Failure error) {
    }

    /** A failure on the wire: its message and, when it has them, its details. */
    record Failure(String message, Blob details) {
    }

    /** A serialized object: type, revision and the serializer's bytes in base64. */
    record Blob(String type, String revision, String data) {
    }

    public byte[] writeCommand(CommandMessage<?> command) {
        return write(new CommandEnvelope(command.getCommandName(), command.getIdentifier(),
                blob(command.getPayload()), blob(command.getMetaData())));
    }

    public CommandMessage<?> readCommand(byte[] body) {
        CommandEnvelope envelope = read(body, CommandEnvelope.class);
        if (envelope.name() == null || envelope.id() == null || envelope.payload() == null) {
            throw new IllegalArgumentException("not a command envelope");
        }
        Object payload = object(envelope.payload());
        return new GenericCommandMessage<>(new GenericMessage<>(envelope.id(), payload, metaData(envelope.metaData())),
                envelope.name());
    }

    /** Whether a command's failure carries details the edge maps to its answer (a domain error, not found, ...). */
    public static boolean hasDetails(Throwable failure) {
        return details(failure) != null;
    }

    private static Object details(Throwable failure) {
        return HandlerExecutionException.resolveDetails(failure).or(() -> ErrorDetails.of(failure)).orElse(null);
    }

    public byte[] writeResult(CommandResultMessage<?> result) {
        if (result.isExceptional()) {
            Throwable failure = result.exceptionResult();
            Object details = details(failure);
            return write(new ResultEnvelope(null, null, new Failure(failure.getMessage(),
                    details == null ? null : blob(details))));
        }
        Object payload = result.getPayload();
        return write(new ResultEnvelope(payload == null ? null : blob(payload), blob(result.getMetaData()), null));
    }

    public CommandResultMessage<?> readResult(byte[] body) {
        ResultEnvelope envelope = read(body, ResultEnvelope.class);
        if (envelope.error() != null) {
            Failure error = envelope.error();
            String message = error.message() == null ? "command failed on the command side" : error.message();
            Object details = error.details() == null ? null : object(error.details());
            return GenericCommandResultMessage.asCommandResultMessage(
                    new CommandExecutionException(message, null, details));
        }
        Object payload = envelope.result() == null ? null : object(envelope.result());
        return new GenericCommandResultMessage<>(payload, metaData(envelope.metaData()));
    }

    private Blob blob(Object object) {
        SerializedObject<byte[]> serialized = serializer.serialize(object, byte[].class);
        return new Blob(serialized.getType().getName(), serialized.getType().getRevision(),
                Base64.getEncoder().encodeToString(serialized.getData()));
    }

    private Object object(Blob blob) {
        return serializer.deserialize(new SimpleSerializedObject<>(Base64.getDecoder().decode(blob.data()),
                byte[].class, blob.type(), blob.revision()));
    }

    private Map<String, ?> metaData(Blob blob) {
        if (blob == null) {
            return MetaData.emptyInstance();
        }
        Object value = object(blob);
        return value instanceof Map<?, ?> map ? MetaData.from(castMap(map)) : MetaData.emptyInstance();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> castMap(Map<?, ?> map) {
        return (Map<String, ?>) map;
    }

    private byte[] write(Object envelope) {
        try {
            return json.writeValueAsBytes(envelope);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> T read(byte[] body, Class<T> type) {
        try {
            return json.readValue(body, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable envelope: " + e.getMessage(), e);
        }
    }
}
