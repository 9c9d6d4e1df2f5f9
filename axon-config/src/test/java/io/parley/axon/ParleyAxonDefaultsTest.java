package io.parley.axon;

import org.axonframework.springboot.TimeoutProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ParleyAxonDefaultsTest {

    @Test
    void everyServiceUsesJacksonAndNoAxonServerUnlessAsked() {
        StandardEnvironment environment = new StandardEnvironment();
        new ParleyAxonDefaults().postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty("axon.serializer.general")).isEqualTo("jackson");
        assertThat(environment.getProperty("axon.serializer.events")).isEqualTo("jackson");
        assertThat(environment.getProperty("axon.serializer.messages")).isEqualTo("jackson");
        assertThat(environment.getProperty("axon.axonserver.enabled")).isEqualTo("false");
    }

    @Test
    void axonsTimeoutsAreOffAsEachGuardWalksTheStackOfEveryCommandAndBatch() {
        StandardEnvironment environment = new StandardEnvironment();
        new ParleyAxonDefaults().postProcessEnvironment(environment, new SpringApplication());

        assertThat(Binder.get(environment).bindOrCreate("axon.timeout", TimeoutProperties.class).isEnabled()).isFalse();
    }

    @Test
    void anOperatorWhoTurnsTheTimeoutsOnGetsTheUnitsOfWorksGuardWithoutASecondOnePerHandler() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("operator",
                Map.of("axon.timeout.enabled", "true")));
        new ParleyAxonDefaults().postProcessEnvironment(environment, new SpringApplication());

        TimeoutProperties timeouts = Binder.get(environment).bindOrCreate("axon.timeout", TimeoutProperties.class);

        assertThat(timeouts.isEnabled()).isTrue();
        assertThat(List.of(timeouts.getHandler().getEvents(), timeouts.getHandler().getCommands(),
                timeouts.getHandler().getQueries(), timeouts.getHandler().getDeadlines()))
                .allSatisfy(handler -> {
                    assertThat(handler.getTimeoutMs()).isNegative();
                    assertThat(handler.getWarningThresholdMs()).isNegative();
                });
        TimeoutProperties.TransactionTimeoutProperties unitsOfWork = timeouts.getTransaction();
        assertThat(List.of(unitsOfWork.getCommandBus(), unitsOfWork.getQueryBus(), unitsOfWork.getEventProcessors()))
                .allSatisfy(unitOfWork -> {
                    assertThat(unitOfWork.getTimeoutMs()).isEqualTo(60_000);
                    assertThat(unitOfWork.getWarningThresholdMs()).isEqualTo(10_000);
                });
    }

    @Test
    void anOperatorOverridesEveryDefault() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("operator",
                Map.of("axon.axonserver.enabled", "true")));
        new ParleyAxonDefaults().postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty("axon.axonserver.enabled")).isEqualTo("true");
    }
}
