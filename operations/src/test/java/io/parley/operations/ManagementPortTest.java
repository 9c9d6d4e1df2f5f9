package io.parley.operations;

import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service without a web server (the command side, the query side, notifications) answers its probes and the
 * Prometheus scrape on the management port, over real HTTP; readiness turns off while it drains.
 */
class ManagementPortTest {

    @SpringBootApplication
    static class Service {
    }

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void probesAndScrapeOnTheManagementPortAndReadinessOffWhileDraining() throws Exception {
        try (ConfigurableApplicationContext service = new SpringApplicationBuilder(Service.class)
                .web(WebApplicationType.NONE)
                .run("--parley.operations.management-port=0", "--axon.axonserver.enabled=false",
                        // no MongoDB here: Boot would configure a client for localhost, and readiness would ping it
                        "--spring.autoconfigure.exclude=org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration",
                        "--spring.application.name=parley-test-service")) {
            String base = "http://127.0.0.1:" + service.getBean(ManagementPort.class).port();

            assertThat(get(base + "/actuator/health/liveness").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(base + "/actuator/health/readiness");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\":\"UP\"}");
            HttpResponse<String> scrape = get(base + "/actuator/prometheus");
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("jvm_memory_used_bytes", "application=\"parley-test-service\"");
            assertThat(get(base + "/actuator/env").statusCode()).as("nothing else").isEqualTo(404);

            AvailabilityChangeEvent.publish(service, ReadinessState.REFUSING_TRAFFIC);
            HttpResponse<String> draining = get(base + "/actuator/health/readiness");
            assertThat(draining.statusCode()).isEqualTo(503);
            assertThat(draining.body()).isEqualTo("{\"status\":\"OUT_OF_SERVICE\"}");
            assertThat(get(base + "/actuator/health/liveness").statusCode()).isEqualTo(200);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
