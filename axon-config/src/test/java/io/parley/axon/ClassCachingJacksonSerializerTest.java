package io.parley.axon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.util.LRUMap;
import org.axonframework.serialization.AnnotationRevisionResolver;
import org.axonframework.serialization.Revision;
import org.axonframework.serialization.RevisionResolver;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.UnknownSerializedType;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.springboot.autoconfig.AxonAutoConfiguration;
import org.axonframework.springboot.autoconfig.EventProcessingAutoConfiguration;
import org.axonframework.springboot.autoconfig.InfraConfiguration;
import org.axonframework.springboot.autoconfig.NoOpTransactionAutoConfiguration;
import org.axonframework.springboot.autoconfig.ObjectMapperAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

class ClassCachingJacksonSerializerTest {

    @Revision("2")
    record Sent(String conversationId, long seq) {
    }

    record Read(String conversationId, long upToSeq) {
    }

    private final ClassCachingJacksonSerializer serializer = ClassCachingJacksonSerializer.of(
            JacksonSerializer.builder().objectMapper(new ObjectMapper()).build(), new AnnotationRevisionResolver());

    @Test
    void objectsOfSeveralTypesReadBackAsTheirOwnClassEveryTime() {
        for (int i = 0; i < 3; i++) {
            SerializedObject<byte[]> sent = serializer.serialize(new Sent("c1", i), byte[].class);
            SerializedObject<byte[]> read = serializer.serialize(new Read("c1", i), byte[].class);

            assertThat(sent.getType().getRevision()).isEqualTo("2");
            assertThat((Object) serializer.deserialize(sent)).isEqualTo(new Sent("c1", i));
            assertThat((Object) serializer.deserialize(read)).isEqualTo(new Read("c1", i));
            assertThat(serializer.classForType(sent.getType())).isEqualTo(Sent.class);
            assertThat(serializer.classForType(read.getType())).isEqualTo(Read.class);
        }
    }

    @Test
    void aTypeOfAnotherRevisionResolvesToTheSameClass() {
        assertThat(serializer.classForType(new SimpleSerializedType(Sent.class.getName(), "2"))).isEqualTo(Sent.class);
        assertThat(serializer.classForType(new SimpleSerializedType(Sent.class.getName(), "1"))).isEqualTo(Sent.class);
    }

    @Test
    void aTypeWithoutAClassReadsAsUnknownAndTheEmptyTypeAsVoid() {
        SimpleSerializedType unknown = new SimpleSerializedType("io.parley.NoSuchEvent", null);

        assertThat(serializer.classForType(unknown)).isEqualTo(UnknownSerializedType.class);
        assertThat((Object) serializer.deserialize(new SimpleSerializedObject<>("{}".getBytes(StandardCharsets.UTF_8),
                byte[].class, unknown))).isInstanceOf(UnknownSerializedType.class);
        assertThat(serializer.classForType(SimpleSerializedType.emptyType())).isEqualTo(Void.class);
    }

    @Test
    void aTypesClassIsLookedUpOnceHoweverOftenItIsRead() {
        Map<String, Integer> lookups = new ConcurrentHashMap<>();
        ObjectMapper mapper = new ObjectMapper();
        mapper.setTypeFactory(new TypeFactory(new LRUMap<>(16, 200)) {
            @Override
            public Class<?> findClass(String className) throws ClassNotFoundException {
                lookups.merge(className, 1, Integer::sum);
                return super.findClass(className);
            }
        });
        ClassCachingJacksonSerializer counted = ClassCachingJacksonSerializer.of(
                JacksonSerializer.builder().objectMapper(mapper).build(), new AnnotationRevisionResolver());
        SerializedObject<byte[]> sent = counted.serialize(new Sent("c1", 1), byte[].class);

        for (int i = 0; i < 5; i++) {
            assertThat((Object) counted.deserialize(sent)).isEqualTo(new Sent("c1", 1));
            assertThat(counted.classForType(sent.getType())).isEqualTo(Sent.class);
        }

        assertThat(lookups).containsEntry(Sent.class.getName(), 1);
    }

    @Test
    void axonsOwnSerializerIsReplacedWithItsObjectMapperAndTheEventAndMessageSerializersAreIt() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ObjectMapperAutoConfiguration.class,
                        AxonAutoConfiguration.class, EventProcessingAutoConfiguration.class,
                        NoOpTransactionAutoConfiguration.class, InfraConfiguration.class))
                .withPropertyValues("axon.serializer.general=jackson", "axon.serializer.events=jackson",
                        "axon.serializer.messages=jackson", "axon.axonserver.enabled=false")
                .withUserConfiguration(PostProcessorOnly.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Object serializer = context.getBean("serializer");
                    assertThat(serializer).isInstanceOf(ClassCachingJacksonSerializer.class);
                    assertThat(((JacksonSerializer) serializer).getObjectMapper())
                            .isSameAs(context.getBean("defaultAxonObjectMapper"));
                    assertThat(context.getBean("eventSerializer")).isSameAs(serializer);
                    assertThat(context.getBean("messageSerializer")).isSameAs(serializer);
                });
    }

    @Test
    void aSerializerAnApplicationDefinesItselfIsLeftAsItIs() {
        Serializer own = JacksonSerializer.builder().objectMapper(new ObjectMapper()).build();
        new ApplicationContextRunner()
                .withBean(RevisionResolver.class, AnnotationRevisionResolver::new)
                .withBean("serializer", Serializer.class, () -> own)
                .withUserConfiguration(PostProcessorOnly.class)
                .run(context -> assertThat(context.getBean("serializer")).isSameAs(own));
    }

    @Configuration(proxyBeanMethods = false)
    static class PostProcessorOnly {

        @Bean
        static BeanPostProcessor parleyClassCachingSerializer(ObjectProvider<RevisionResolver> revisionResolver) {
            return ParleyAxonAutoConfiguration.parleyClassCachingSerializer(revisionResolver);
        }
    }
}
