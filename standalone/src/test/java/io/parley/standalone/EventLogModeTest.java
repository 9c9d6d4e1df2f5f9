package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.eventstore.audit.ChainVerifier;
import io.parley.eventstore.audit.EventHistory;
import io.parley.eventstore.audit.JdbcEventHistory;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.jdbc.core.JdbcTemplate;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The standalone server with its events in the event log ({@code parley.event-store=log}, issue 17), where that differs
 * from the table: a data directory written with the table is moved into the log at the first start with it, with its
 * positions, and goes on there; its text is stored encrypted; the table is refused after the move; and a table written
 * again after it (by an older Parley) stops the log from starting rather than lose what was written there.
 * (CrashRecoveryTest kills it under load.)
 */
class EventLogModeTest {

    @TempDir
    Path dir;

    @Test
    void aDataDirectoryWrittenWithTheTableIsMovedIntoTheLogWithItsPositionsAndGoesOnThere() throws Exception {
        Path data = dir.resolve("data");
        ParleyClient alice;
        String conversation;
        List<String> before;
        long head;
        try (RunningParley table = RunningParley.start(data, "parley.event-store=jdbc")) {
            alice = ParleyClient.signUp(table, "alice");
            ParleyClient bob = ParleyClient.signUp(table, "bob");
            conversation = alice.openDirectWith(bob);
            for (int i = 1; i <= 30; i++) {
                assertThat(alice.sendOverHttp(conversation, "before the move " + i).status()).isEqualTo(201);
            }
            before = texts(alice.fullHistory(conversation, 30, Duration.ofSeconds(30)));
            head = table.bean(EventStore.class).createHeadToken().position().getAsLong();
            assertThat(table.bean(EventHistory.class)).isInstanceOf(JdbcEventHistory.class);
        }

        try (RunningParley log = RunningParley.start(data, "parley.event-store=log")) {
            ParleyClient aliceNow = alice.on(log);
            assertThat(log.bean(EventHistory.class)).isNotInstanceOf(JdbcEventHistory.class);
            assertThat(log.bean(EventStore.class).createHeadToken().position()).as("the same positions")
                    .hasValue(head);
            assertThat(texts(aliceNow.fullHistory(conversation, 30, Duration.ofSeconds(30)))).isEqualTo(before);
            assertThat(log.bean(ChainVerifier.class).verify(conversation).valid()).as("the hash chain, moved").isTrue();

            ParleyClient.Response sent = aliceNow.sendOverHttp(conversation, "after the move");
            assertThat(sent.status()).isEqualTo(201);
            assertThat(sent.body().get("seq").asLong()).isEqualTo(31);
            List<JsonNode> after = aliceNow.fullHistory(conversation, 31, Duration.ofSeconds(30));
            assertThat(texts(after)).endsWith("after the move").hasSize(31);
            assertThat(log.bean(ChainVerifier.class).verify(conversation).valid()).isTrue();

            HealthContributorRegistry health = log.bean(HealthContributorRegistry.class);
            Health eventLog = ((HealthIndicator) health.getContributor("eventLog")).health();
            assertThat(eventLog.getStatus()).isEqualTo(Status.UP);
            assertThat(eventLog.getDetails()).containsKey("writes").containsEntry("events", (int) head + 1);
            assertThat(((HealthIndicator) health.getContributor("eventLogWrites")).health().getStatus())
                    .isEqualTo(Status.UP);

            String stored = Files.readString(data.resolve("events/events.log"), StandardCharsets.ISO_8859_1);
            assertThat(stored).as("the log holds the conversation's events").contains(conversation)
                    .as("and their text only encrypted").doesNotContain("after the move", "before the move");
        }

        assertThatThrownBy(() -> RunningParley.start(data, "parley.event-store=jdbc")).as("no way back to the table")
                .hasStackTraceContaining("are in the event log");

        // an older Parley, which knows only the table, writes there after the move
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + data.toAbsolutePath() + "/parley");
        h2.setUser("sa");
        assertThat(new JdbcTemplate(h2).update("INSERT INTO DomainEventEntry (eventIdentifier, type,"
                + " aggregateIdentifier, sequenceNumber, timeStamp, payloadType, payloadRevision, payload, metaData)"
                + " SELECT 'written-by-an-older-parley', type, aggregateIdentifier, sequenceNumber + 1000, timeStamp,"
                + " payloadType, payloadRevision, payload, metaData FROM DomainEventEntry"
                + " ORDER BY globalIndex DESC LIMIT 1")).isEqualTo(1);
        assertThatThrownBy(() -> RunningParley.start(data, "parley.event-store=log"))
                .hasStackTraceContaining("holds events written after its events were moved to the event log");
    }

    private static List<String> texts(List<JsonNode> messages) {
        return messages.stream().map(m -> m.get("text").asText()).toList();
    }
}
