package io.parley.command.conversation;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Publishes the {@link ConversationPolicy} bean that Axon injects into the {@link Conversation}'s command handlers.
 * An invalid limit fails the start-up with a message naming the property.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ConversationProperties.class)
class ConversationConfiguration {

    @Bean
    ConversationPolicy conversationPolicy(ConversationProperties properties) {
        return properties.toPolicy();
    }
}
