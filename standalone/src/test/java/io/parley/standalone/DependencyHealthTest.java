package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testsupport.PostgresSchema;
import io.parley.testsupport.RequiredServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness follows what the node depends on, over real HTTP: Redis (presence across push nodes) and PostgreSQL (the
 * event store and read store of the distributed set-up), each reached through a TCP proxy that the test cuts as if the
 * server had gone away, and restores.
 */
class DependencyHealthTest {

    @RegisterExtension
    static final PostgresSchema postgres = new PostgresSchema("health");

    @TempDir
    Path dataDir;

    @Test
    void readinessIsDownWhileRedisIsGoneAndUpWhenItIsBack() {
        requireRedis();
        try (TcpProxy redis = new TcpProxy("127.0.0.1", 6379);
             RunningParley parley = RunningParley.start(dataDir, "parley.roles.admins=ops",
                     "parley.presence=redis", "parley.redis.uri=redis://127.0.0.1:" + redis.port(),
                     "parley.redis.key-prefix=parley-test-" + UUID.randomUUID())) {
            ParleyClient ops = ParleyClient.signUpExactly(parley, "ops");
            JsonNode up = awaitReadiness(ops, 200);
            assertThat(up.at("/components/redis/status").asText()).as(up.toString()).isEqualTo("UP");

            redis.cut();
            JsonNode down = awaitReadiness(ops, 503);
            assertThat(down.get("status").asText()).isEqualTo("DOWN");
            assertThat(down.at("/components/redis/status").asText()).isEqualTo("DOWN");
            assertThat(down.at("/components/eventStore/status").asText()).as("only Redis").isEqualTo("UP");
            assertThat(ops.call("GET", "/actuator/health/liveness", null).status()).as("alive all the same")
                    .isEqualTo(200);

            redis.restore();
            awaitReadiness(ops, 200);
        }
    }

    @Test
    void readinessIsDownWhilePostgresqlIsGoneAndUpWhenItIsBack() {
        try (TcpProxy database = new TcpProxy("127.0.0.1", 5432);
             RunningParley parley = RunningParley.start(dataDir, "parley.roles.admins=ops",
                     "spring.datasource.url=" + postgres.jdbcUrl().replace("127.0.0.1:5432", "127.0.0.1:"
                             + database.port()),
                     "spring.datasource.username=" + postgres.user(), "spring.datasource.password=",
                     "spring.datasource.hikari.connection-timeout=2000")) {
            ParleyClient ops = ParleyClient.signUpExactly(parley, "ops");
            JsonNode up = awaitReadiness(ops, 200);
            assertThat(up.at("/components/db/status").asText()).isEqualTo("UP");

            database.cut();
            // the token is checked against the session store in PostgreSQL too: the probe is read anonymously
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    ops.call("GET", "/actuator/health/readiness", null, null).status() == 503);
            assertThat(ops.call("GET", "/actuator/health/readiness", null, null).body().get("status").asText())
                    .isEqualTo("DOWN");

            database.restore();
            awaitReadiness(ops, 200);
        }
    }

    private static JsonNode awaitReadiness(ParleyClient ops, int status) {
        JsonNode[] body = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            ParleyClient.Response response = ops.call("GET", "/actuator/health/readiness", null);
            body[0] = response.body();
            return response.status() == status;
        });
        return body[0];
    }

    private static void requireRedis() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 6379), 2000);
        } catch (IOException e) {
            RequiredServices.missing("Redis at 127.0.0.1:6379 unreachable: " + e.getMessage(), e);
        }
    }
}
