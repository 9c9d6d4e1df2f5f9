package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A user reads back what they just wrote, and {@code sync} never answers {@code synced} with a gap (issue 12): every
 * read right after an acknowledged write, with no waiting in the test, on the standalone app with its defaults.
 */
class ReadYourWritesTest {

    static RunningParley parley;

    @BeforeAll
    static void boot() throws Exception {
        // a long sync grace: a socket that holds live messages for it would fail the listener test below
        parley = RunningParley.start(Files.createTempDirectory("parley-ryw"), "parley.push.sync-grace=30s",
                "parley.limits.sends-per-second=5000", "parley.limits.sends-burst=5000",
                "parley.limits.http-per-second=5000", "parley.limits.http-burst=5000");
    }

    @AfterAll
    static void stop() {
        parley.close();
    }

    @Test
    void aNewGroupsFirstMessageReachesAMemberWhoSyncsAtOnce() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String group = alice.call("POST", "/api/conversations/groups",
                json("name", "now", "members", List.of(bob.userId))).body().get("conversationId").asText();
        assertThat(sendOverHttp(alice, group, "first").get("seq").asLong()).isEqualTo(1);

        try (SocketClient bobSocket = bob.connectToResume(parley)) {
            bobSocket.send(json("type", "sync", "id", "s1", "since", json(group, 0)));
            bobSocket.await(reply("synced", "s1"));
            assertThat(seqs(bobSocket, group)).containsExactly(1L);
        }
    }

    @Test
    void aNewDirectConversationsFirstMessageReachesTheOtherDeviceThatSyncsWithoutPositions() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        try (SocketClient bobsOtherDevice = bob.connect(parley)) {
            String direct = alice.openDirectWith(bob);
            sendOverHttp(alice, direct, "hello");
            try (SocketClient bobSocket = bob.connectToResume(parley)) {
                bobSocket.send(json("type", "sync", "id", "s1"));
                bobSocket.await(reply("synced", "s1"));
                assertThat(seqs(bobSocket, direct)).containsExactly(1L);
            }
            bobsOtherDevice.await(type("message").and(f -> direct.equals(f.get("conversationId").asText())));
        }
    }

    @Test
    void aResumePositionBeyondTheHeadIsTakenAsTheHeadAndLiveMessagesKeepComing() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String direct = alice.openDirectWith(bob);
        for (int i = 1; i <= 3; i++) {
            sendOverHttp(alice, direct, "m" + i);
        }
        // whatever the read model's lag, the conversation is listed with its 3 messages before the sync
        await().atMost(Duration.ofSeconds(10)).until(() -> summary(bob, direct) != null
                && summary(bob, direct).get("lastSeq").asLong() == 3);
        try (SocketClient bobSocket = bob.connectToResume(parley)) {
            bobSocket.send(json("type", "sync", "id", "ahead", "since", json(direct, 100)));
            bobSocket.await(reply("synced", "ahead"));
            assertThat(seqs(bobSocket, direct)).isEmpty();

            sendOverHttp(alice, direct, "m4");
            sendOverHttp(alice, direct, "m5");
            bobSocket.await(type("message").and(f -> f.get("seq").asLong() == 5));
            assertThat(seqs(bobSocket, direct)).containsExactly(4L, 5L);
        }
    }

    @Test
    void aSecondSyncOnTheSameSocketSendsWhatTheClientAsksForAgain() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String direct = alice.openDirectWith(bob);
        for (int i = 1; i <= 4; i++) {
            sendOverHttp(alice, direct, "m" + i);
        }
        try (SocketClient bobSocket = bob.connectToResume(parley)) {
            bobSocket.send(json("type", "sync", "id", "first", "since", json(direct, 0)));
            bobSocket.await(reply("synced", "first"));
            bobSocket.send(json("type", "sync", "id", "again", "since", json(direct, 2)));
            bobSocket.await(reply("synced", "again"));
            assertThat(seqs(bobSocket, direct)).containsExactly(1L, 2L, 3L, 4L, 3L, 4L);
        }
    }

    @Test
    void aSenderReadsItsMessageBackRightAfterTheAck() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String direct = alice.openDirectWith(bob);
        sendOverHttp(alice, direct, "read me back");
        JsonNode page = alice.call("GET", "/api/conversations/" + direct + "/messages", null).body();
        assertThat(page.get("messages")).hasSize(1);
        assertThat(page.get("messages").get(0).get("text").asText()).isEqualTo("read me back");
        assertThat(summary(alice, direct).get("lastSeq").asLong()).isEqualTo(1);
    }

    @Test
    void aRecipientWhoReceivedALiveMessageFindsItInTheNewestHistoryPage() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String direct = alice.openDirectWith(bob);
        try (SocketClient aliceSocket = alice.connect(parley); SocketClient bobSocket = bob.connect(parley)) {
            bobSocket.send(json("type", "ping", "id", "here"));
            bobSocket.await(reply("pong", "here"));
            for (int i = 1; i <= 121; i++) {
                aliceSocket.send(json("type", "send", "id", "b" + i, "conversationId", direct, "text", "burst " + i));
            }
            bobSocket.await(type("message").and(f -> f.get("seq").asLong() == 121), Duration.ofSeconds(30));
            JsonNode page = bob.call("GET", "/api/conversations/" + direct + "/messages?limit=50", null).body();
            List<Long> history = new ArrayList<>();
            page.get("messages").forEach(m -> history.add(m.get("seq").asLong()));
            assertThat(history).hasSize(50).startsWith(72L).endsWith(121L);
        }
    }

    @Test
    void theInboxReflectsACreatedGroupAReadAndARemovalAtOnce() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        ParleyClient carol = ParleyClient.signUp(parley, "carol");
        String group = alice.call("POST", "/api/conversations/groups",
                json("name", "inbox", "members", List.of(bob.userId, carol.userId))).body()
                .get("conversationId").asText();
        assertThat(summary(alice, group)).as("the creator's inbox lists the group").isNotNull();
        sendOverHttp(alice, group, "one");
        sendOverHttp(alice, group, "two");
        assertThat(summary(bob, group).get("unread").asLong()).isEqualTo(2);

        assertThat(bob.call("POST", "/api/conversations/" + group + "/read", json("upToSeq", 2)).status())
                .isEqualTo(204);
        JsonNode afterRead = summary(bob, group);
        assertThat(afterRead.get("readSeq").asLong()).isEqualTo(2);
        assertThat(afterRead.get("unread").asLong()).isZero();

        assertThat(alice.call("DELETE", "/api/conversations/" + group + "/members/" + carol.userId, null).status())
                .isEqualTo(204);
        List<String> members = new ArrayList<>();
        summary(alice, group).get("members").forEach(m -> members.add(m.has("userId") ? m.get("userId").asText()
                : m.asText()));
        assertThat(members).doesNotContain(carol.userId);
        assertThat(summary(carol, group)).as("the removed member's inbox").isNull();
    }

    @Test
    void aClientThatOnlyListensGetsLiveMessagesWithoutWaitingForAGracePeriod() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String direct = alice.openDirectWith(bob);
        try (SocketClient listener = bob.connect(parley)) {
            sendOverHttp(alice, direct, "are you there?");
            // the grace period is 30 s here: a held message would miss this (shorter) wait
            JsonNode live = listener.await(type("message"), Duration.ofSeconds(10));
            assertThat(live.get("text").asText()).isEqualTo("are you there?");
        }
    }

    /**
     * The property behind all of the above: a random mix of sends, reads, group creation and removals by several
     * users, each followed at once (no waiting) by reads of the writer and of the others, always reflects every
     * acknowledged write. Seeded, so a failure repeats.
     */
    @Test
    void everyReadRightAfterAnAcknowledgedWriteReflectsIt() {
        Random random = new Random(12);
        List<ParleyClient> users = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            users.add(ParleyClient.signUp(parley, "prop" + i));
        }
        List<String> conversations = new ArrayList<>();
        java.util.Map<String, Long> lastSeq = new java.util.HashMap<>();
        java.util.Map<String, List<ParleyClient>> membersOf = new java.util.HashMap<>();
        for (int step = 0; step < 150; step++) {
            ParleyClient actor = users.get(random.nextInt(users.size()));
            int action = conversations.isEmpty() ? 0 : random.nextInt(10);
            if (action == 0) {
                List<ParleyClient> others = new ArrayList<>(users);
                others.remove(actor);
                String group = actor.call("POST", "/api/conversations/groups", json("name", "g" + step,
                                "members", others.stream().map(u -> u.userId).toList())).body()
                        .get("conversationId").asText();
                conversations.add(group);
                lastSeq.put(group, 0L);
                membersOf.put(group, new ArrayList<>(users));
                for (ParleyClient member : users) {
                    assertThat(summary(member, group)).as("step %d: %s lists the new group", step, member.userId)
                            .isNotNull();
                }
                continue;
            }
            String conversation = conversations.get(random.nextInt(conversations.size()));
            List<ParleyClient> members = membersOf.get(conversation);
            if (!members.contains(actor)) {
                continue;
            }
            if (action <= 6) {
                long seq = sendOverHttp(actor, conversation, "step " + step).get("seq").asLong();
                lastSeq.put(conversation, seq);
                ParleyClient reader = members.get(random.nextInt(members.size()));
                JsonNode page = reader.call("GET", "/api/conversations/" + conversation + "/messages?limit=1",
                        null).body();
                assertThat(page.get("messages").get(0).get("seq").asLong()).as("step %d: newest seq", step)
                        .isEqualTo(seq);
                assertThat(summary(reader, conversation).get("lastSeq").asLong()).isEqualTo(seq);
            } else if (action <= 8) {
                long upTo = lastSeq.get(conversation);
                if (upTo == 0) {
                    continue;
                }
                assertThat(actor.call("POST", "/api/conversations/" + conversation + "/read",
                        json("upToSeq", upTo)).status()).isEqualTo(204);
                assertThat(summary(actor, conversation).get("readSeq").asLong()).as("step %d: read cursor", step)
                        .isEqualTo(upTo);
                ParleyClient other = members.get(random.nextInt(members.size()));
                JsonNode receipts = other.call("GET", "/api/conversations/" + conversation + "/receipts", null).body();
                List<Long> actorsCursor = new ArrayList<>();
                receipts.forEach(c -> {
                    if (actor.userId.equals(c.get("userId").asText())) {
                        actorsCursor.add(c.get("readSeq").asLong());
                    }
                });
                assertThat(actorsCursor).as("step %d: receipts seen by another member", step).containsExactly(upTo);
            } else if (members.size() > 2) {
                ParleyClient leaver = members.stream().filter(m -> m != actor).findFirst().orElseThrow();
                if (actor.call("DELETE", "/api/conversations/" + conversation + "/members/" + leaver.userId, null)
                        .status() == 204) {
                    members.remove(leaver);
                    assertThat(summary(leaver, conversation)).as("step %d: removed member's inbox", step).isNull();
                    assertThat(leaver.call("GET", "/api/conversations/" + conversation + "/messages", null)
                            .status()).isEqualTo(403);
                }
            }
        }
    }

    private static JsonNode sendOverHttp(ParleyClient sender, String conversation, String text) {
        ParleyClient.Response sent = sender.call("POST", "/api/conversations/" + conversation + "/messages",
                json("clientMsgId", java.util.UUID.randomUUID().toString(), "text", text));
        assertThat(sent.status()).isEqualTo(201);
        return sent.body();
    }

    /** The caller's inbox row of the conversation, or null when the inbox does not list it. */
    private static JsonNode summary(ParleyClient client, String conversation) {
        for (JsonNode row : client.call("GET", "/api/conversations", null).body()) {
            if (conversation.equals(row.get("conversationId").asText())) {
                return row;
            }
        }
        return null;
    }

    private static List<Long> seqs(SocketClient socket, String conversation) {
        return socket.frames(type("message").and(f -> conversation.equals(f.get("conversationId").asText())))
                .stream().map(f -> f.get("seq").asLong()).toList();
    }
}
