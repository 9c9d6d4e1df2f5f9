package io.parley.axon;

import org.junit.jupiter.api.Test;
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
    void anOperatorOverridesEveryDefault() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("operator",
                Map.of("axon.axonserver.enabled", "true")));
        new ParleyAxonDefaults().postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty("axon.axonserver.enabled")).isEqualTo("true");
    }
}
