package io.parley.standalone;

import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Far more commands in flight than database connections, all on one conversation, with a snapshot every few events:
 * nothing may wait for a connection while holding what the connection holders wait for. (Axon's default snapshotter
 * did: it took a second connection on the committing thread, under the conversation's lock, and every pooled
 * connection belonged to a command waiting for that lock; nobody moved until the pool gave up after 30 s.) The
 * snapshots are taken all the same.
 */
class ScarceConnectionsTest {

    @TempDir
    Path dataDir;

    @Test
    void aBurstOfSendsToOneGroupIsAcknowledgedWithTwoConnectionsAndFrequentSnapshots() {
        try (RunningParley parley = RunningParley.start(dataDir,
                "spring.datasource.hikari.maximum-pool-size=2",
                "parley.axon.snapshot-threshold=5")) {
            List<ParleyClient> members = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                members.add(ParleyClient.signUp(parley, "member" + i));
            }
            ParleyClient owner = members.get(0);
            String group = owner.call("POST", "/api/conversations/groups", json("name", "Burst",
                            "members", members.subList(1, members.size()).stream().map(m -> m.userId).toList()))
                    .body().get("conversationId").asText();
            List<SocketClient> sockets = new ArrayList<>();
            try {
                for (ParleyClient member : members) {
                    sockets.add(member.connect(parley));
                }
                int each = 40; // below the per-user burst of 60
                for (int i = 0; i < each; i++) {
                    for (int m = 0; m < sockets.size(); m++) {
                        sockets.get(m).send(json("type", "send", "id", "s" + m + "-" + i, "conversationId", group,
                                "text", "burst " + m + "/" + i));
                    }
                }
                for (int m = 0; m < sockets.size(); m++) {
                    for (int i = 0; i < each; i++) {
                        assertThat(sockets.get(m).await(reply("ack", "s" + m + "-" + i), Duration.ofSeconds(20)))
                                .as("ack of member %d's message %d", m, i).isNotNull();
                    }
                }
                long total = (long) each * sockets.size();
                sockets.get(0).await(type("message").and(f -> f.get("seq").asLong() == total), Duration.ofSeconds(10));
                // the snapshots were taken (from the cached conversation, CachedAggregateSnapshotter): the latest is
                // within a few thresholds of the conversation's last event
                EventStorageEngine engine = parley.bean(EventStorageEngine.class);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(engine.readSnapshot(group))
                        .hasValueSatisfying(snapshot -> {
                            assertThat(snapshot.getPayloadType().getSimpleName()).isEqualTo("Conversation");
                            assertThat(snapshot.getSequenceNumber()).isGreaterThan(total - 20);
                        }));
            } finally {
                sockets.forEach(SocketClient::close);
            }
        }
    }
}
