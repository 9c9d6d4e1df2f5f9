package io.parley.axon;

import org.axonframework.serialization.RevisionResolver;
import org.axonframework.serialization.SerializedType;
import org.axonframework.serialization.UnknownSerializedType;
import org.axonframework.serialization.json.JacksonSerializer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Axon's {@link JacksonSerializer} with the class of each serialized type name looked up once. Axon's asks Jackson's
 * {@code TypeFactory.findClass}, which calls {@code Class.forName} for every payload and every metadata it reads: 2.3%
 * of the server's CPU in the 5,000 msg/s profile of issue 17 (docs/benchmark.md, twenty-sixth stop), as every event is
 * read by the event store, four processors and the fan-out.
 * <p>
 * Only classes found are remembered, at most one per class the JVM has loaded for a serialized type; a name not found
 * is left to Axon (which reads it as an {@link UnknownSerializedType} and remembers that itself). The revision does not
 * take part: a type's class is the same in every revision (upcasters change the data, not the class's name). Final:
 * the cache is keyed by the type's name, which names the class only while {@code resolveClassName} is Axon's.
 */
final class ClassCachingJacksonSerializer extends JacksonSerializer {

    private final Map<String, Class<?>> classes = new ConcurrentHashMap<>();

    private ClassCachingJacksonSerializer(Builder builder) {
        super(builder);
    }

    /**
     * The same serializer as {@code original}: its object mapper and converter (registering Axon's converters and
     * modules on them again, which the converter keeps twice and Jackson ignores), and its revision resolver.
     *
     * @param revisionResolver the one {@code original} was built with (Axon's serializer does not expose it)
     */
    static ClassCachingJacksonSerializer of(JacksonSerializer original, RevisionResolver revisionResolver) {
        Builder builder = new Builder()
                .objectMapper(original.getObjectMapper())
                .converter(original.getConverter())
                .revisionResolver(revisionResolver);
        return new ClassCachingJacksonSerializer(builder);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class classForType(SerializedType type) {
        Class<?> known = classes.get(type.getName());
        if (known != null) {
            return known;
        }
        Class<?> found = super.classForType(type);
        if (found != UnknownSerializedType.class && found != Void.class) {
            classes.putIfAbsent(type.getName(), found);
        }
        return found;
    }
}
