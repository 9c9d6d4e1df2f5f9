package io.parley.command.conversation;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** {@code parley.conversation.*}: the limits of {@link ConversationPolicy}. */
@ConfigurationProperties(prefix = "parley.conversation")
record ConversationProperties(@DefaultValue("4000") int maxTextLength,
                              @DefaultValue("1000") int maxGroupSize,
                              @DefaultValue("10000") int editWindow) {

    ConversationPolicy toPolicy() {
        return new ConversationPolicy(maxTextLength, maxGroupSize, editWindow);
    }
}
