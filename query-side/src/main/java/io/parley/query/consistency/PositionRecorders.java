package io.parley.query.consistency;

import io.parley.query.store.ReadStores;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** One {@link PositionRecorder} in each projection's processing group; imported with the projections. */
@Configuration(proxyBeanMethods = false)
public class PositionRecorders {

    @Bean
    PositionRecorder.OfConversations conversationPositionRecorder(ReadStores stores) {
        return new PositionRecorder.OfConversations(stores);
    }

    @Bean
    PositionRecorder.OfUsers userPositionRecorder(ReadStores stores) {
        return new PositionRecorder.OfUsers(stores);
    }
}
