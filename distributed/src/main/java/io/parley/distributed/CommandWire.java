package io.parley.distributed;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.CommandResultMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.GenericCommandResultMessage;
import org.axonframework.messaging.GenericMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.util.Base64;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * How a command and its result travel between a dispatching node and the command side over HTTP: a small JSON
 * envelope whose payload and metadata are serialized with Axon's message serializer (Jackson), so the wire format
 * is the one Axon uses for messages anyway.
 * <p>
 * Exceptions keep their meaning, not their stack: the rule violations of {@code io.parley.api.error} (and
 * {@link IllegalArgumentException}, Axon's {@link AggregateNotFoundException} and {@link ConcurrencyException}, which
 * the edge also classifies) travel as class name and message and are re-created on the caller's side, so the edge
 * answers 403/404/409/400 exactly as in one process. Anything else arrives as a {@link CommandExecutionException}
 * carrying only the message: an internal error for the edge.
 */
public final class CommandWire {

    /** Packages whose exceptions are re-created by name on the calling side. */
    static final String DOMAIN_ERRORS = "io.parley.api.error.";

    private static final Set<Class<?>> TRANSPORTABLE = Set.of(IllegalArgumentException.class,
            AggregateNotFoundException.class, ConcurrencyException.class);

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

    /** The outcome on the wire: a result (possibly null) or an error. */
    record ResultEnvelope(Blob result, Blob metaData, String errorType, String errorMessage) {
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

    public byte[] writeResult(CommandResultMessage<?> result) {
        if (result.isExceptional()) {
            Failure failure = describe(result.exceptionResult());
            return write(new ResultEnvelope(null, null, failure.type(), failure.message()));
        }
        Object payload = result.getPayload();
        return write(new ResultEnvelope(payload == null ? null : blob(payload), blob(result.getMetaData()), null, null));
    }

    public CommandResultMessage<?> readResult(byte[] body) {
        ResultEnvelope envelope = read(body, ResultEnvelope.class);
        if (envelope.errorType() != null) {
            return GenericCommandResultMessage.asCommandResultMessage(recreate(envelope.errorType(),
                    envelope.errorMessage()));
        }
        Object payload = envelope.result() == null ? null : object(envelope.result());
        return new GenericCommandResultMessage<>(payload, metaData(envelope.metaData()));
    }

    /** What the caller learns of a failure: a type name and a message. */
    record Failure(String type, String message) {
    }

    /**
     * The failure to report for a handler's exception: the first one in the cause chain whose type (or a supertype)
     * the calling side re-creates, named by that type; else the exception's own type, which the caller will not
     * re-create.
     */
    static Failure describe(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            Class<?> type = recreatableType(t.getClass());
            if (type != null) {
                return new Failure(type.getName(), t.getMessage());
            }
        }
        return new Failure(failure.getClass().getName(), failure.getMessage());
    }

    private static Class<?> recreatableType(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            if (c.getName().startsWith(DOMAIN_ERRORS) || TRANSPORTABLE.contains(c)) {
                return c;
            }
        }
        return null;
    }

    /** Re-creates an exception the command side reported; unknown types become a {@link CommandExecutionException}. */
    static Throwable recreate(String type, String message) {
        try {
            Class<?> c = Class.forName(type, false, CommandWire.class.getClassLoader());
            if (c == AggregateNotFoundException.class) {
                return new AggregateNotFoundException(null, message);
            }
            if (RuntimeException.class.isAssignableFrom(c)
                    && (c.getName().startsWith(DOMAIN_ERRORS) || TRANSPORTABLE.contains(c))) {
                Constructor<?> constructor = c.getConstructor(String.class);
                return (Throwable) constructor.newInstance(message);
            }
        } catch (ReflectiveOperationException | LinkageError unknown) {
            // fall through: reported as a plain execution failure
        }
        return new CommandExecutionException(message == null ? "command failed on the command side" : message, null);
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
