package io.parley.axon;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.axonframework.serialization.AnnotationRevisionResolver;
import org.axonframework.serialization.Revision;
import org.axonframework.serialization.RevisionResolver;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.UnknownSerializedType;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.charset.StandardCharsets;

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
    void axonsJacksonSerializerIsReplacedKeepingItsObjectMapperAndAnotherSerializerIsLeftAlone() {
        ObjectMapper mapper = new ObjectMapper();
        Serializer own = JacksonSerializer.builder().objectMapper(new ObjectMapper()).build();
        new ApplicationContextRunner()
                .withBean(RevisionResolver.class, AnnotationRevisionResolver::new)
                .withBean("serializer", Serializer.class, () -> JacksonSerializer.builder().objectMapper(mapper).build())
                .withBean("applicationSerializer", Serializer.class, () -> own)
                .withUserConfiguration(PostProcessorOnly.class)
                .run(context -> {
                    assertThat(context.getBean("serializer")).isInstanceOf(ClassCachingJacksonSerializer.class);
                    assertThat(((JacksonSerializer) context.getBean("serializer")).getObjectMapper()).isSameAs(mapper);
                    assertThat(context.getBean("applicationSerializer")).isSameAs(own);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class PostProcessorOnly {

        @Bean
        static BeanPostProcessor classCachingSerializer(ObjectProvider<RevisionResolver> revisionResolver) {
            return ParleyAxonAutoConfiguration.classCachingSerializer(revisionResolver);
        }
    }
}
