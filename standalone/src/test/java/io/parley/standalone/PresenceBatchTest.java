package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Presence coalesced per recipient (issue 19, item 3): when many contacts change within the window, a member gets one
 * {@code presence_batch} frame listing them instead of one {@code presence} frame each, and what it learns is the same.
 * The window is long here (3 s) so that the members' connects fall into few windows however slow the machine is.
 */
class PresenceBatchTest {

    static final int MEMBERS = 12;
    static RunningParley parley;

    @BeforeAll
    static void boot() throws Exception {
        parley = RunningParley.start(Files.createTempDirectory("parley-presence-batch"),
                "parley.presence-batch-window=3s");
    }

    @AfterAll
    static void stop() {
        parley.close();
    }

    @Test
    void aGroupComingOnlineReachesAMemberInFewFramesThatListEveryoneAndLaterChangesStillArrive() {
        ParleyClient owner = ParleyClient.signUp(parley, "owner");
        List<ParleyClient> members = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            members.add(ParleyClient.signUp(parley, "member" + i));
        }
        ParleyClient.Response created = owner.call("POST", "/api/conversations/groups",
                json("name", "Everyone", "members", members.stream().map(m -> m.userId).toList()));
        assertThat(created.status()).isEqualTo(201);
        Set<String> memberIds = members.stream().map(m -> m.userId).collect(Collectors.toSet());

        try (SocketClient ownerSocket = owner.connect(parley)) {
            List<SocketClient> sockets = new ArrayList<>();
            try {
                for (ParleyClient member : members) {
                    sockets.add(member.connect(parley));
                }
                await().atMost(java.time.Duration.ofSeconds(20))
                        .until(() -> online(ownerSocket).keySet().containsAll(memberIds));
                assertThat(online(ownerSocket)).as("every member known online").allSatisfy((user, on) ->
                        assertThat(on).isTrue());
                List<JsonNode> batches = ownerSocket.frames(type("presence_batch"));
                assertThat(batches).as("the connects were coalesced").isNotEmpty();
                assertThat(batches).allSatisfy(batch -> {
                    assertThat(batch.get("users").size()).isGreaterThan(1);
                    assertThat(batch.get("users")).allSatisfy(entry -> {
                        assertThat(entry.get("online").asBoolean()).isTrue();
                        assertThat(entry.get("lastSeen").isNull()).isTrue();
                        assertThat(entry.has("type")).isFalse();
                    });
                });
                int frames = ownerSocket.frames(type("presence").or(type("presence_batch"))).size();
                assertThat(frames).as("fewer frames than members").isLessThan(MEMBERS);
                List<String> told = told(ownerSocket);
                assertThat(told).as("each member told once").doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(memberIds);
            } finally {
                sockets.forEach(SocketClient::close);
            }
            // and going offline: everyone ends offline with a lastSeen, whatever frames carried it
            await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> memberIds.stream().noneMatch(id -> online(ownerSocket).get(id)));
            for (JsonNode frame : ownerSocket.frames(type("presence").or(type("presence_batch")))) {
                for (JsonNode entry : entries(frame)) {
                    if (!entry.get("online").asBoolean()) {
                        assertThat(entry.get("lastSeen").asText()).endsWith("Z");
                    }
                }
            }
        }
    }

    /** The latest presence the socket was told of, per user, reading both frame types. */
    private static Map<String, Boolean> online(SocketClient socket) {
        Map<String, Boolean> latest = new HashMap<>();
        for (JsonNode frame : socket.frames(type("presence").or(type("presence_batch")))) {
            for (JsonNode entry : entries(frame)) {
                latest.put(entry.get("userId").asText(), entry.get("online").asBoolean());
            }
        }
        return latest;
    }

    private static List<String> told(SocketClient socket) {
        List<String> users = new ArrayList<>();
        for (JsonNode frame : socket.frames(type("presence").or(type("presence_batch")))) {
            for (JsonNode entry : entries(frame)) {
                if (entry.get("online").asBoolean()) {
                    users.add(entry.get("userId").asText());
                }
            }
        }
        return users;
    }

    private static List<JsonNode> entries(JsonNode frame) {
        List<JsonNode> entries = new ArrayList<>();
        if ("presence_batch".equals(frame.get("type").asText())) {
            frame.get("users").forEach(entries::add);
        } else {
            entries.add(frame);
        }
        return entries;
    }
}
