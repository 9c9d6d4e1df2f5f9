package io.parley.eventstore.erasure;

import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Crypto-shredding of message text ({@code parley.erasure.enabled}, on by default): the event serializer is wrapped
 * by {@link EncryptingSerializer}, with keys per user in the table {@code erasure_keys} of the application's
 * database. Without a database (tests with an in-memory event store) nothing is wrapped.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
@ConditionalOnProperty(name = "parley.erasure.enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnBean(DataSource.class)
public class ErasureAutoConfiguration {

    @Bean
    ErasureKeys parleyErasureKeys(DataSource dataSource, Environment environment) {
        return new ErasureKeys(dataSource,
                environment.getProperty("parley.erasure.key-cache-ttl", Duration.class, Duration.ofSeconds(30)),
                "log".equalsIgnoreCase(environment.getProperty("parley.event-store", "").trim())); // events elsewhere
    }

    @Bean
    TextCipher parleyTextCipher(ErasureKeys keys) {
        return new TextCipher(keys);
    }

    @Bean
    TextSeal parleyTextSeal(ErasureKeys keys, TextCipher cipher) {
        return new TextSeal(keys, cipher);
    }

    @Bean
    static BeanPostProcessor parleyEncryptingEventSerializer(BeanFactory beanFactory) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if ("eventSerializer".equals(beanName) && bean instanceof Serializer serializer
                        && !(bean instanceof EncryptingSerializer)) {
                    ObjectProvider<TextCipher> provider = beanFactory.getBeanProvider(TextCipher.class);
                    return new EncryptingSerializer(serializer, new Supplier<>() {
                        private volatile TextCipher cipher;

                        @Override
                        public TextCipher get() {
                            TextCipher found = cipher;
                            if (found == null) {
                                found = provider.getIfAvailable();
                                cipher = found;
                            }
                            return found;
                        }
                    });
                }
                return bean;
            }
        };
    }
}
