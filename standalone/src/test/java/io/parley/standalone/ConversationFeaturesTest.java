package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Groups, receipts, presence, typing, edits and deletes, with real WebSocket clients against the booted app. */
class ConversationFeaturesTest {

    static RunningParley parley;

    @BeforeAll
    static void boot() throws Exception {
        parley = RunningParley.start(Files.createTempDirectory("parley-features"));
    }

    @AfterAll
    static void stop() {
        parley.close();
    }

    @Test
    void aRemovedMemberReceivesNothingSentAfterRemovalAndCannotReadLaterHistory() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        ParleyClient carol = ParleyClient.signUp(parley, "carol");
        ParleyClient.Response created = alice.call("POST", "/api/conversations/groups",
                json("name", "Book club", "members", List.of(bob.userId, carol.userId)));
        assertThat(created.status()).isEqualTo(201);
        String group = created.body().get("conversationId").asText();

        try (SocketClient aliceSocket = alice.connect(parley);
             SocketClient bobSocket = bob.connect(parley);
             SocketClient carolSocket = carol.connect(parley)) {
            aliceSocket.send(json("type", "send", "id", "g1", "conversationId", group, "text", "welcome"));
            assertThat(aliceSocket.await(reply("ack", "g1")).get("seq").asLong()).isEqualTo(1);
            bobSocket.await(type("message").and(f -> f.get("seq").asLong() == 1));
            carolSocket.await(type("message").and(f -> f.get("seq").asLong() == 1));

            // a plain member may not remove others
            assertThat(bob.call("DELETE", "/api/conversations/" + group + "/members/" + carol.userId, null).status())
                    .isEqualTo(403);

            assertThat(alice.call("DELETE", "/api/conversations/" + group + "/members/" + carol.userId, null).status())
                    .isEqualTo(204);
            carolSocket.await(type("member").and(f -> "removed".equals(f.get("change").asText())
                    && carol.userId.equals(f.get("userId").asText())));
            bobSocket.await(type("member").and(f -> "removed".equals(f.get("change").asText())));

            aliceSocket.send(json("type", "send", "id", "g2", "conversationId", group, "text", "carol is gone"));
            aliceSocket.await(reply("ack", "g2"));
            bobSocket.await(type("message").and(f -> f.get("seq").asLong() == 2));
            carolSocket.send(json("type", "ping", "id", "after"));
            carolSocket.await(reply("pong", "after"));
            assertThat(carolSocket.frames(type("message"))).extracting(f -> f.get("seq").asLong()).containsExactly(1L);

            ParleyClient.Response carolHistory = carol.call("GET", "/api/conversations/" + group + "/messages", null);
            assertThat(carolHistory.status()).isEqualTo(403);
            assertThat(carolHistory.body().toString()).doesNotContain("carol is gone");
            carolSocket.send(json("type", "send", "id", "g3", "conversationId", group, "text", "let me back"));
            assertThat(carolSocket.await(reply("error", "g3")).get("code").asText()).isEqualTo("FORBIDDEN");

            // owners add members; the new member gets the member frame and can read on
            assertThat(alice.call("POST", "/api/conversations/" + group + "/members", json("userId", carol.userId))
                    .status()).isEqualTo(204);
            carolSocket.await(type("member").and(f -> "joined".equals(f.get("change").asText())));
        }
    }

    @Test
    void whenTheLastOwnerLeavesOwnershipPassesToTheLongestStandingMember() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        ParleyClient carol = ParleyClient.signUp(parley, "carol");
        String group = alice.call("POST", "/api/conversations/groups",
                json("name", "Hand-over", "members", List.of(bob.userId, carol.userId))).body()
                .get("conversationId").asText();
        try (SocketClient bobSocket = bob.connect(parley)) {
            assertThat(alice.call("DELETE", "/api/conversations/" + group + "/members/" + alice.userId, null).status())
                    .isEqualTo(204);
            bobSocket.await(type("member").and(f -> "left".equals(f.get("change").asText())));
            bobSocket.await(type("member").and(f -> "role_changed".equals(f.get("change").asText())
                    && bob.userId.equals(f.get("userId").asText()) && "owner".equals(f.get("role").asText())));
        }
        assertThat(bob.call("DELETE", "/api/conversations/" + group + "/members/" + carol.userId, null).status())
                .as("the new owner may remove members").isEqualTo(204);
    }

    @Test
    void receiptsMoveForwardOnlyAndTellTheSenderWhoReadUpToWhere() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        ParleyClient carol = ParleyClient.signUp(parley, "carol");
        String group = alice.call("POST", "/api/conversations/groups",
                json("name", "Ticks", "members", List.of(bob.userId, carol.userId))).body()
                .get("conversationId").asText();
        try (SocketClient aliceSocket = alice.connect(parley);
             SocketClient bobSocket = bob.connect(parley);
             SocketClient carolSocket = carol.connect(parley)) {
            for (int i = 1; i <= 3; i++) {
                aliceSocket.send(json("type", "send", "id", "t" + i, "conversationId", group, "text", "tick " + i));
                aliceSocket.await(reply("ack", "t" + i));
            }
            bobSocket.send(json("type", "read", "id", "b-read", "conversationId", group, "upToSeq", 3));
            bobSocket.await(reply("ok", "b-read"));
            carolSocket.send(json("type", "read", "id", "c-read", "conversationId", group, "upToSeq", 1));
            carolSocket.await(reply("ok", "c-read"));
            aliceSocket.await(type("receipt").and(f -> bob.userId.equals(f.get("userId").asText())
                    && "read".equals(f.get("kind").asText()) && f.get("upToSeq").asLong() == 3));
            aliceSocket.await(type("receipt").and(f -> carol.userId.equals(f.get("userId").asText())
                    && "read".equals(f.get("kind").asText()) && f.get("upToSeq").asLong() == 1));

            // a lower cursor is ignored, not an error; one beyond the last seq is refused
            bobSocket.send(json("type", "read", "id", "lower", "conversationId", group, "upToSeq", 2));
            bobSocket.await(reply("ok", "lower"));
            bobSocket.send(json("type", "read", "id", "beyond", "conversationId", group, "upToSeq", 99));
            assertThat(bobSocket.await(reply("error", "beyond")).get("code").asText()).isEqualTo("BAD_FRAME");
            assertThat(bob.call("POST", "/api/conversations/" + group + "/read", json("upToSeq", 2)).status())
                    .isEqualTo(204);
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> inboxRow(bob, group).get("readSeq").asLong() == 3);
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> inboxRow(carol, group).get("unread").asLong() == 2);
            assertThat(aliceSocket.frames(type("receipt").and(f -> bob.userId.equals(f.get("userId").asText()))))
                    .as("no receipt for cursors that did not move").hasSize(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> readSeqOf(alice, group, carol.userId) == 1);
            assertThat(readSeqOf(alice, group, bob.userId)).as("the sender sees who read up to where").isEqualTo(3);
            assertThat(ParleyClient.signUp(parley, "outsider").call("GET", "/api/conversations/" + group + "/receipts",
                    null).status()).isEqualTo(403);
        }
    }

    @Test
    void presenceGoesToContactsOnFirstConnectAndLastDisconnectAndLastSeenIsKept() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        ParleyClient stranger = ParleyClient.signUp(parley, "stranger");
        alice.openDirectWith(bob);
        try (SocketClient aliceSocket = alice.connect(parley);
             SocketClient strangerSocket = stranger.connect(parley)) {
            SocketClient bobPhone = bob.connect(parley);
            aliceSocket.await(type("presence").and(f -> bob.userId.equals(f.get("userId").asText())
                    && f.get("online").asBoolean()));
            SocketClient bobLaptop = bob.connect(parley);
            assertThat(bob.call("GET", "/api/users/" + bob.userId, null).body().get("online").asBoolean()).isTrue();
            bobPhone.close();
            bobLaptop.send(json("type", "ping", "id", "still"));
            bobLaptop.await(reply("pong", "still"));
            bobLaptop.close();
            JsonNode offline = aliceSocket.await(type("presence").and(f -> bob.userId.equals(f.get("userId").asText())
                    && !f.get("online").asBoolean()));
            assertThat(offline.get("lastSeen").asText()).endsWith("Z");
            assertThat(aliceSocket.frames(type("presence").and(f -> bob.userId.equals(f.get("userId").asText()))))
                    .as("one frame on the first connect, one on the last disconnect").hasSize(2);
            strangerSocket.send(json("type", "ping", "id", "s"));
            strangerSocket.await(reply("pong", "s"));
            assertThat(strangerSocket.frames(type("presence"))).as("presence only to contacts").isEmpty();
        }
        JsonNode profile = alice.call("GET", "/api/users/" + bob.userId, null).body();
        assertThat(profile.get("online").asBoolean()).isFalse();
        assertThat(profile.get("lastSeen").isNull()).isFalse();
        assertThat(profile.get("username").asText()).isEqualTo(bob.username);
    }

    @Test
    void typingGoesToTheOtherMembersOnlyAndIsThrottled() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        ParleyClient mallory = ParleyClient.signUp(parley, "mallory");
        String conversation = alice.openDirectWith(bob);
        try (SocketClient aliceSocket = alice.connect(parley);
             SocketClient bobSocket = bob.connect(parley);
             SocketClient mallorySocket = mallory.connect(parley)) {
            aliceSocket.send(json("type", "typing", "conversationId", conversation));
            aliceSocket.send(json("type", "typing", "conversationId", conversation));
            aliceSocket.send(json("type", "send", "id", "after-typing", "conversationId", conversation, "text", "hi"));
            bobSocket.await(type("message"));
            JsonNode typing = bobSocket.await(type("typing"));
            assertThat(typing.get("userId").asText()).isEqualTo(alice.userId);
            assertThat(typing.get("conversationId").asText()).isEqualTo(conversation);
            assertThat(bobSocket.frames(type("typing"))).as("throttled").hasSize(1);
            assertThat(aliceSocket.frames(type("typing"))).as("not echoed to the typist").isEmpty();

            mallorySocket.send(json("type", "typing", "conversationId", conversation));
            assertThat(mallorySocket.await(type("error")).get("code").asText()).isEqualTo("FORBIDDEN");
        }
    }

    @Test
    void editsAndDeletesReachConnectedMembersAndHistoryKeepsATombstone() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        try (SocketClient aliceSocket = alice.connect(parley);
             SocketClient bobSocket = bob.connect(parley)) {
            aliceSocket.send(json("type", "send", "id", "e1", "conversationId", conversation, "text", "helo"));
            aliceSocket.await(reply("ack", "e1"));
            aliceSocket.send(json("type", "send", "id", "e2", "conversationId", conversation, "text", "secret"));
            aliceSocket.await(reply("ack", "e2"));

            aliceSocket.send(json("type", "edit", "id", "fix", "conversationId", conversation, "seq", 1, "text", "hello"));
            aliceSocket.await(reply("ok", "fix"));
            JsonNode edited = bobSocket.await(type("message_updated").and(f -> f.get("seq").asLong() == 1));
            assertThat(edited.get("text").asText()).isEqualTo("hello");
            assertThat(edited.get("editedAt").asText()).endsWith("Z");

            bobSocket.send(json("type", "edit", "id", "not-mine", "conversationId", conversation, "seq", 1, "text", "x"));
            assertThat(bobSocket.await(reply("error", "not-mine")).get("code").asText()).isEqualTo("FORBIDDEN");

            assertThat(alice.call("DELETE", "/api/conversations/" + conversation + "/messages/2", null).status())
                    .isEqualTo(204);
            JsonNode deleted = bobSocket.await(type("message_updated").and(f -> f.get("seq").asLong() == 2));
            assertThat(deleted.get("deleted").asBoolean()).isTrue();
            assertThat(deleted.get("text").isNull()).isTrue();
        }
        List<JsonNode> history = MessagingStoryTest.awaitHistory(bob, conversation, 2);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                MessagingStoryTest.awaitHistory(bob, conversation, 2).get(1).get("deleted").asBoolean());
        history = MessagingStoryTest.awaitHistory(bob, conversation, 2);
        assertThat(history.get(0).get("text").asText()).isEqualTo("hello");
        assertThat(history.get(0).get("editedAt").isNull()).isFalse();
        assertThat(history.get(1).get("deleted").asBoolean()).isTrue();
        assertThat(history.get(1).get("text").isNull()).as("text removed from the read model").isTrue();
    }

    @Test
    void deletedMessagesNoLongerCountAsUnread() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String conversation = alice.openDirectWith(bob);
        for (int i = 1; i <= 3; i++) {
            assertThat(alice.call("POST", "/api/conversations/" + conversation + "/messages",
                    json("clientMsgId", "unread-" + i, "text", "unread " + i)).status()).isEqualTo(201);
        }
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> inboxRow(bob, conversation).get("unread").asLong() == 3);

        for (int seq = 1; seq <= 2; seq++) {
            assertThat(alice.call("DELETE", "/api/conversations/" + conversation + "/messages/" + seq, null).status())
                    .isEqualTo(204);
        }

        // the inbox is updated in the same projection transaction as the tombstone
        await().atMost(Duration.ofSeconds(10)).until(() ->
                MessagingStoryTest.awaitHistory(bob, conversation, 3).get(1).get("deleted").asBoolean());
        assertThat(inboxRow(bob, conversation).get("unread").asLong()).as("three unread, two deleted").isEqualTo(1);
    }

    static long readSeqOf(ParleyClient asker, String conversation, String userId) {
        for (JsonNode cursor : asker.call("GET", "/api/conversations/" + conversation + "/receipts", null).body()) {
            if (userId.equals(cursor.get("userId").asText())) {
                return cursor.get("readSeq").asLong();
            }
        }
        return -1;
    }

    static JsonNode inboxRow(ParleyClient client, String conversation) {
        for (JsonNode row : client.call("GET", "/api/conversations", null).body()) {
            if (conversation.equals(row.get("conversationId").asText())) {
                return row;
            }
        }
        throw new AssertionError("conversation not in the list of " + client.username);
    }
}
