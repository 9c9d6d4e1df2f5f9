package io.parley.eventstore;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The readers' cache: 1,000 events unless set, and a cache of no events refused at start-up with the reason. */
class EventReaderPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(EventReaderProperties.class)
    static class Readers {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Readers.class);

    @Test
    void theCacheHoldsAThousandEventsUnlessSet() {
        runner.run(context -> assertThat(context.getBean(EventReaderProperties.class).cachedEvents()).isEqualTo(1_000));
        runner.withPropertyValues("parley.event-readers.cached-events=10000").run(context ->
                assertThat(context.getBean(EventReaderProperties.class).cachedEvents()).isEqualTo(10_000));
    }

    @Test
    void aCacheOfNoEventsStopsTheStartWithTheReason() {
        runner.withPropertyValues("parley.event-readers.cached-events=0").run(context ->
                assertThat(context).getFailure()
                        .hasRootCauseMessage("parley.event-readers.cached-events must be at least 1, was 0"));
    }
}
