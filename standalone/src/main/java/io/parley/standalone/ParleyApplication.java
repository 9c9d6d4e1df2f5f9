package io.parley.standalone;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Parley in one process: command side, query side and the edge in one JVM, with events, tracking tokens, read models
 * and credentials in one embedded H2 database under {@code parley.data-dir}. No server to install.
 */
@SpringBootApplication(scanBasePackages = "io.parley",
        excludeName = {"org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration"})
public class ParleyApplication {

    public static void main(String[] args) {
        SpringApplication.run(ParleyApplication.class, args);
    }
}
