package io.parley.axon;

import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.common.ReflectionUtils;
import org.axonframework.common.annotation.AnnotationUtils;
import org.axonframework.modelling.command.AnnotationCommandTargetResolver;
import org.axonframework.modelling.command.CommandTargetResolver;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.modelling.command.TargetAggregateVersion;
import org.axonframework.modelling.command.VersionedAggregateIdentifier;

import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Axon's {@link AnnotationCommandTargetResolver} with the annotated members found once per command class instead of
 * on every command: the target aggregate is the value of the payload's {@link TargetAggregateIdentifier} member, its
 * expected version that of its {@link TargetAggregateVersion} member (a number, or text holding one; none if absent
 * or null). As in Axon's, a method (its own or inherited, without parameters) wins over a field, and meta-annotations
 * count.
 * <p>
 * Axon's walks every method and field of the command class and their annotations for both members on every command:
 * 1.4% of the server's CPU at 2,500 messages/s (docs/benchmark.md, issue 17, sixth round).
 *
 * @throws IllegalArgumentException (from {@link #resolveTarget}) with Axon's messages: a command without a non-null
 *                                  identifier, a version that is not a number, or a member that could not be read
 */
public final class CachedAnnotationCommandTargetResolver implements CommandTargetResolver {

    /** Reads one annotated member of a payload; {@code null} when the class has no such member. */
    private interface Reader {
        Object read(Object payload) throws ReflectiveOperationException;
    }

    private record Members(Reader identifier, Reader version) {
    }

    private final ClassValue<Members> members = new ClassValue<>() {
        @Override
        protected Members computeValue(Class<?> type) {
            return new Members(reader(type, TargetAggregateIdentifier.class),
                    reader(type, TargetAggregateVersion.class));
        }
    };

    @Override
    public VersionedAggregateIdentifier resolveTarget(CommandMessage<?> command) {
        Members found = members.get(command.getPayloadType());
        Object identifier;
        Long version;
        try {
            identifier = read(found.identifier(), command.getPayload());
            version = asLong(read(found.version(), command.getPayload()));
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(
                    "An exception occurred while extracting aggregate information form a command", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("The current security context does not allow extraction of "
                    + "aggregate information from the given command.", e);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("The value provided for the version is not a number.", e);
        }
        if (identifier == null) {
            throw new IllegalArgumentException(String.format("Invalid command. It does not identify the target "
                    + "aggregate. Make sure at least one of the fields or methods in the [%s] class contains the "
                    + "@TargetAggregateIdentifier annotation and that it returns a non-null value.",
                    command.getPayloadType().getSimpleName()));
        }
        return new VersionedAggregateIdentifier(identifier, version);
    }

    private static Object read(Reader reader, Object payload) throws ReflectiveOperationException {
        return reader == null ? null : reader.read(payload);
    }

    private static Reader reader(Class<?> type, Class<? extends Annotation> annotation) {
        for (Method method : ReflectionUtils.methodsOf(type)) {
            if (AnnotationUtils.isAnnotationPresent(method, annotation)) {
                Method accessible = ReflectionUtils.ensureAccessible(method);
                return payload -> accessible.invoke(payload);
            }
        }
        for (Field field : ReflectionUtils.fieldsOf(type)) {
            if (AnnotationUtils.isAnnotationPresent(field, annotation)) {
                Field accessible = ReflectionUtils.ensureAccessible(field);
                return accessible::get;
            }
        }
        return null;
    }

    private static Long asLong(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Number number) {
            return number.longValue();
        }
        return Long.parseLong(value.toString());
    }
}
