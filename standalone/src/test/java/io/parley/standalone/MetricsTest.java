package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an operator scrapes and probes (README, "Health and metrics"), against the booted app over real HTTP and real
 * sockets: the Parley meters move by exactly what a small conversation did, the scrape is the ADMIN's, the probes are
 * anybody's, and readiness turns OUT_OF_SERVICE while a projection falls behind.
 */
class MetricsTest {

    static final int MESSAGES = 7;

    @TempDir
    Path dataDir;

    @Test
    void aConversationMovesTheCountersAndHistogramsByExactlyWhatHappened() {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.roles.admins=ops",
                "parley.limits.typing-per-second=1", "parley.limits.typing-burst=1")) {
            ParleyClient ops = ParleyClient.signUpExactly(parley, "ops");
            String prometheus = parley.http() + "/actuator/prometheus";
            Scrape before = Scrape.of(prometheus, ops.token);
            assertThat(before.status).as(before.toString()).isEqualTo(200);

            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            try (SocketClient aliceSocket = alice.connect(parley); SocketClient bobSocket = bob.connect(parley)) {
                for (int i = 0; i < MESSAGES; i++) {
                    aliceSocket.send(json("type", "send", "id", "m" + i, "conversationId", conversation,
                            "text", "hello " + i));
                }
                for (int i = 0; i < MESSAGES; i++) {
                    aliceSocket.await(reply("ack", "m" + i));
                }
                aliceSocket.send(json("type", "typing", "id", "t1", "conversationId", conversation));
                aliceSocket.send(json("type", "typing", "id", "t2", "conversationId", conversation));
                JsonNode refused = aliceSocket.await(reply("error", "t2"));
                assertThat(refused.get("code").asText()).isEqualTo("RATE_LIMITED");
                // every message reached both sockets (the sender's other devices see their own messages)
                await().atMost(Duration.ofSeconds(30)).until(() -> bobSocket.frames(type("message")).size() == MESSAGES
                        && aliceSocket.frames(type("message")).size() == MESSAGES);

                Scrape after = Scrape.of(prometheus, ops.token);
                assertThat(after.value("parley_messages_sent_total") - before.value("parley_messages_sent_total"))
                        .isEqualTo(MESSAGES);
                // a socket is not an HTTP request (observed as one, it kept the observation alive as long as it lived)
                assertThat(after.value("http_server_requests_seconds_count", "uri=\"/ws\"")).isZero();
                // nor are the scrapes themselves (the one before this was made)
                assertThat(after.value("http_server_requests_seconds_count", "uri=\"/actuator/prometheus\""))
                        .isZero();
                assertThat(after.value("http_server_requests_seconds_count", "uri=\"/api/sessions\""))
                        .isPositive();
                assertThat(after.value("parley_messages_delivered_total")
                        - before.value("parley_messages_delivered_total")).as("to two sockets").isEqualTo(2 * MESSAGES);
                assertThat(after.value("parley_send_ack_seconds_count") - before.value("parley_send_ack_seconds_count"))
                        .isEqualTo(MESSAGES);
                assertThat(after.value("parley_send_ack_seconds_bucket", "le=\"+Inf\"")
                        - before.value("parley_send_ack_seconds_bucket", "le=\"+Inf\"")).isEqualTo(MESSAGES);
                assertThat(after.value("parley_delivery_latency_seconds_count")
                        - before.value("parley_delivery_latency_seconds_count")).isEqualTo(MESSAGES);
                assertThat(after.value("parley_rate_limited_total", "kind=\"typing\"")
                        - before.value("parley_rate_limited_total", "kind=\"typing\"")).isEqualTo(1);
                assertThat(after.value("parley_rate_limited_total", "kind=\"send\"")
                        - before.value("parley_rate_limited_total", "kind=\"send\"")).isZero();
                assertThat(after.value("parley_sockets_open")).isEqualTo(2);
                assertThat(after.value("parley_users_online")).isEqualTo(2);
                assertThat(after.has("parley_outbound_queue_depth")).isTrue();
                assertThat(after.has("parley_sockets_slow_closed_total")).isTrue();
                // Axon's own meters (axon-micrometer) and the projections' lag
                assertThat(after.value("commandBus_successCounter_total", "payloadType=\"SendMessage\"")
                        - before.value("commandBus_successCounter_total", "payloadType=\"SendMessage\""))
                        .isEqualTo(MESSAGES);
                assertThat(after.has("eventProcessor_latency")).isTrue();
                assertThat(after.has("commandBus_allTimer_seconds_count")).isTrue();
                // ... registered by AxonMetricRegistry: no capacity gauge holding every message's time
                assertThat(after.has("commandBus_capacity")).isFalse();
                assertThat(after.has("eventProcessor_capacity")).isFalse();
                // command batching: every send ran in some batch; each batch is one unit of work
                double commands = after.value("parley_command_batch_commands_total")
                        - before.value("parley_command_batch_commands_total");
                double batches = after.value("parley_command_batches_total")
                        - before.value("parley_command_batches_total");
                assertThat(commands).isGreaterThanOrEqualTo(MESSAGES);
                assertThat(batches).isPositive().isLessThanOrEqualTo(commands);
                assertThat(after.value("parley_command_batch_fallbacks_total")).isZero();
                assertThat(after.value("parley_command_refused_total")).as("no overload").isZero();
                assertThat(after.has("parley_command_queued")).isTrue();
                // standalone H2: the sends' commits waited for a file write, the projections' batches did not
                assertThat(after.value("parley_h2_commits_total", "durability=\"synchronous\"")
                        - before.value("parley_h2_commits_total", "durability=\"synchronous\"")).isPositive();
                assertThat(after.value("parley_h2_file_writes_total")
                        - before.value("parley_h2_file_writes_total")).isPositive();
                await().atMost(Duration.ofSeconds(30)).until(() -> Scrape.of(prometheus, ops.token)
                        .value("parley_h2_commits_total", "durability=\"asynchronous\"")
                        > before.value("parley_h2_commits_total", "durability=\"asynchronous\""));
                // ... and the file is forced to the disk (every second) after what was written
                await().atMost(Duration.ofSeconds(30)).until(() -> Scrape.of(prometheus, ops.token)
                        .value("parley_h2_file_syncs_seconds_count") > before.value("parley_h2_file_syncs_seconds_count"));
                // registered at start, so that a rate over them exists from the first scrape
                assertThat(after.has("parley_media_uploads_total")).isTrue();
                assertThat(after.has("parley_media_upload_bytes_total")).isTrue();
                assertThat(after.value("parley_notifications_total", "platform=\"webpush\"", "outcome=\"sent\""))
                        .isZero();
                assertThat(after.has("parley_notifications_total")).isTrue();
                assertThat(after.value("parley_projection_lag", "processor=\"conversation-projection\""))
                        .isGreaterThanOrEqualTo(0);
                assertThat(after.value("parley_projection_position",
                        "processor=\"conversation-projection\"")).isPositive();
            }
        }
    }

    @Test
    void theScrapeIsForAdminsAndTheProbesForEverybody() {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.roles.admins=ops")) {
            ParleyClient ops = ParleyClient.signUpExactly(parley, "ops");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            for (String path : new String[]{"/actuator/prometheus", "/actuator/metrics", "/actuator/info"}) {
                assertThat(Scrape.of(parley.http() + path, null).status).as("anonymous " + path).isEqualTo(401);
                assertThat(Scrape.of(parley.http() + path, bob.token).status).as("a user " + path).isEqualTo(403);
                assertThat(Scrape.of(parley.http() + path, ops.token).status).as("an admin " + path).isEqualTo(200);
            }
            for (String probe : new String[]{"/actuator/health", "/actuator/health/liveness",
                    "/actuator/health/readiness"}) {
                ParleyClient.Response anonymous = bob.call("GET", probe, null, null);
                assertThat(anonymous.status()).as(probe).isEqualTo(200);
                assertThat(anonymous.body().get("status").asText()).isEqualTo("UP");
                assertThat(anonymous.body().has("components")).as("no details for the anonymous").isFalse();
            }
            JsonNode details = ops.call("GET", "/actuator/health/readiness", null).body();
            assertThat(details.get("components").fieldNames()).toIterable()
                    .contains("readinessState", "db", "eventStore", "projections");
            assertThat(details.at("/components/eventStore/status").asText()).isEqualTo("UP");
            JsonNode disk = ops.call("GET", "/actuator/health", null).body().at("/components/diskSpace/details");
            assertThat(disk.get("path").asText()).as("free space where the data is, not where the jar was started")
                    .isEqualTo(dataDir.toFile().getAbsolutePath());
        }
    }

    @Test
    void onASeparateManagementPortTheScrapeNeedsNoTokenAndTheMainPortServesNoActuator() {
        try (RunningParley parley = RunningParley.start(dataDir, "management.server.port=0",
                "management.server.address=127.0.0.1")) {
            String management = "http://127.0.0.1:"
                    + parley.bean(org.springframework.core.env.Environment.class).getProperty("local.management.port");
            Scrape scrape = Scrape.of(management + "/actuator/prometheus", null);
            assertThat(scrape.status).as(scrape.toString()).isEqualTo(200);
            assertThat(scrape.has("parley_messages_sent_total")).isTrue();
            assertThat(Scrape.of(management + "/actuator/health/readiness", null).status).isEqualTo(200);
            assertThat(Scrape.of(parley.http() + "/actuator/prometheus", null).status).isIn(401, 404);
        }
    }

    @Test
    void readinessIsOutOfServiceWhileAProjectionIsBehindByMoreThanTheLimit() {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.roles.admins=ops",
                "parley.operations.max-projection-lag=3")) {
            ParleyClient ops = ParleyClient.signUpExactly(parley, "ops");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = ops.openDirectWith(bob);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> bob.call("GET", "/actuator/health/readiness", null, null).status() == 200);

            StreamingEventProcessor projection = (StreamingEventProcessor) parley.bean(EventProcessingConfiguration.class)
                    .eventProcessor("conversation-projection").orElseThrow();
            projection.shutDown();
            for (int i = 0; i < 5; i++) {
                assertThat(ops.call("POST", "/api/conversations/" + conversation + "/messages",
                        json("clientMsgId", "c" + i, "text", "while the projection stands still")).status())
                        .isEqualTo(201);
            }
            ParleyClient.Response behind = ops.call("GET", "/actuator/health/readiness", null);
            assertThat(behind.status()).as(behind.toString()).isEqualTo(503);
            assertThat(behind.body().get("status").asText()).isEqualTo("OUT_OF_SERVICE");
            assertThat(behind.body().at("/components/projections/details/lag/conversation-projection").asLong())
                    .as(behind.toString()).isGreaterThan(3);
            assertThat(bob.call("GET", "/actuator/health/liveness", null, null).status()).as("alive all the same")
                    .isEqualTo(200);

            projection.start();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> bob.call("GET", "/actuator/health/readiness", null, null).status() == 200);
        }
    }
}
