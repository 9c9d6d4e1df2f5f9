package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testsupport.Bytes;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.parley.standalone.ParleyClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/search} on the booted standalone application, over real HTTP: what a user finds right after writing
 * (no waiting in the test: the read-your-writes barrier does it), members only, edits, deletes, removal, paging, bad
 * input, and erasure down to the index files.
 */
class SearchTest {

    static Path dataDir;
    static RunningParley parley;

    @BeforeAll
    static void boot() throws IOException {
        dataDir = Files.createTempDirectory("parley-search");
        parley = RunningParley.start(dataDir, "parley.roles.admins=search_admin");
    }

    @AfterAll
    static void stop() {
        parley.close();
    }

    private static ParleyClient.Response search(ParleyClient who, String query, String extra) {
        return who.call("GET", "/api/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
                + (extra == null ? "" : "&" + extra), null);
    }

    private static List<String> texts(ParleyClient who, String query) {
        ParleyClient.Response response = search(who, query, null);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<String> texts = new ArrayList<>();
        response.body().get("results").forEach(hit -> texts.add(hit.get("text").asText()));
        return texts;
    }

    private static String group(ParleyClient owner, ParleyClient... members) {
        List<String> ids = Stream.of(members).map(m -> m.userId).toList();
        ParleyClient.Response created = owner.call("POST", "/api/conversations/groups", json("name", "g", "members", ids));
        assertThat(created.status()).isEqualTo(201);
        return created.body().get("conversationId").asText();
    }

    private static void send(ParleyClient who, String conversation, String clientMsgId, String text) {
        assertThat(who.call("POST", "/api/conversations/" + conversation + "/messages",
                json("clientMsgId", clientMsgId, "text", text)).status()).isEqualTo(201);
    }

    @Test
    void membersFindWhatWasJustSentWithTheWordsMarkedAndOthersFindNothing() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        ParleyClient mallory = ParleyClient.signUp(parley, "mallory");
        String group = group(alice, bob);

        send(alice, group, "m1", "Lunch at the Café Crème? <script>alert(1)</script>");
        send(alice, group, "m2", "明天在東京见面");

        ParleyClient.Response found = search(bob, "cafe", null);
        assertThat(found.status()).isEqualTo(200);
        JsonNode hit = found.body().get("results").get(0);
        assertThat(hit.get("conversationId").asText()).isEqualTo(group);
        assertThat(hit.get("seq").asLong()).isEqualTo(1);
        assertThat(hit.get("senderId").asText()).isEqualTo(alice.userId);
        assertThat(hit.get("text").asText()).isEqualTo("Lunch at the Café Crème? <script>alert(1)</script>");
        assertThat(hit.get("highlights").get(0).get("start").asInt()).isEqualTo(13);
        assertThat(hit.get("highlights").get(0).get("end").asInt()).isEqualTo(17);
        assertThat(texts(bob, "東京")).containsExactly("明天在東京见面");
        assertThat(texts(bob, "CRÈME")).hasSize(1);

        assertThat(texts(mallory, "cafe")).isEmpty();
        assertThat(search(mallory, "cafe", "conversationId=" + group).status()).isEqualTo(403);
        assertThat(search(bob, "cafe", "conversationId=" + group).body().get("results")).hasSize(1);
    }

    @Test
    void editsAreFoundByTheirNewWordsAndDeletedMessagesNotAtAll() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String direct = alice.openDirectWith(bob);
        send(alice, direct, "e1", "the answer is pineapple");
        send(alice, direct, "e2", "and also mango");

        assertThat(alice.call("PATCH", "/api/conversations/" + direct + "/messages/1",
                json("text", "the answer is papaya")).status()).isEqualTo(204);
        assertThat(alice.call("DELETE", "/api/conversations/" + direct + "/messages/2", null).status())
                .isEqualTo(204);

        assertThat(texts(bob, "pineapple")).isEmpty();
        assertThat(texts(bob, "papaya")).containsExactly("the answer is papaya");
        assertThat(search(bob, "papaya", null).body().get("results").get(0).get("editedAt").isNull()).isFalse();
        assertThat(texts(bob, "mango")).isEmpty();
    }

    @Test
    void aRemovedMemberNoLongerFindsTheGroupsMessages() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient carol = ParleyClient.signUp(parley, "carol");
        String group = group(alice, carol);
        send(alice, group, "r1", "quarterly numbers before");
        assertThat(texts(carol, "quarterly")).hasSize(1);

        assertThat(alice.call("DELETE", "/api/conversations/" + group + "/members/" + carol.userId, null).status())
                .isEqualTo(204);
        send(alice, group, "r2", "quarterly numbers after");

        assertThat(texts(carol, "quarterly")).isEmpty();
        assertThat(texts(alice, "quarterly")).containsExactly("quarterly numbers after", "quarterly numbers before");
    }

    @Test
    void pagesFollowEachOtherByCursorNewestFirst() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String direct = alice.openDirectWith(bob);
        for (int i = 1; i <= 5; i++) {
            send(alice, direct, "p" + i, "standup note " + i);
        }
        List<Long> seqs = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            ParleyClient.Response page = search(bob, "standup", "limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).isEqualTo(200);
            page.body().get("results").forEach(h -> seqs.add(h.get("seq").asLong()));
            JsonNode next = page.body().get("nextCursor");
            cursor = next == null || next.isNull() ? null : next.asText();
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(3);
        assertThat(seqs).containsExactly(5L, 4L, 3L, 2L, 1L);
    }

    @Test
    void anOperatorRebuildsTheIndexFromTheEventStoreAndWatchesItsProgress() {
        ParleyClient admin = ParleyClient.signUpExactly(parley, "search_admin");
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String direct = alice.openDirectWith(bob);
        send(alice, direct, "b1", "rebuild survivor");

        ParleyClient.Response rebuilding = admin.call("POST", "/api/admin/projections/search-projection/rebuild", null);
        assertThat(rebuilding.status()).as(rebuilding.toString()).isEqualTo(202);
        assertThat(rebuilding.body().get("projection").asText()).isEqualTo("search-projection");

        // while it replays, searches answer from the partial index (as every projection's reads do); then all is back
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> texts(bob, "survivor").equals(List.of("rebuild survivor")));
        JsonNode status = admin.call("GET", "/api/admin/projections/search-projection", null).body();
        assertThat(status.get("running").asBoolean()).isTrue();
        assertThat(status.get("position").asLong()).isGreaterThan(0);
        assertThat(status.get("head").asLong()).isGreaterThanOrEqualTo(status.get("position").asLong());
    }

    @Test
    void theSearchPositionLivesInTheIndexWhileTheOtherProjectionsKeepTheSharedTokenStore() {
        TokenStore shared = parley.bean(TokenStore.class);
        assertThat(shared).isInstanceOf(JdbcTokenStore.class);
        assertThat(shared.fetchSegments("conversation-projection")).isNotEmpty();
        assertThat(shared.fetchSegments("search-projection")).isEmpty();
    }

    @Test
    void aQueryWithoutAWordToFindIsRefusedWithAReasonHoweverItIsWritten() {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String group = group(alice, bob);
        send(alice, group, "w1", "wildcards are not words");
        for (String query : List.of("*", "* * *", "**", "!!!", "?", "\"\"", "-wildcards", "- *", "...")) {
            ParleyClient.Response response = search(bob, query, null);
            assertThat(response.status()).as("q=%s: %s", query, response).isEqualTo(400);
            assertThat(response.body().get("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(response.body().get("message").asText()).as("q=%s", query)
                    .startsWith("q has no word to find: give at least one word of letters or digits");
        }
        // a word, a prefix of one, or a word beside an exclusion still searches
        assertThat(texts(bob, "wildcards")).containsExactly("wildcards are not words");
        assertThat(texts(bob, "wild*")).containsExactly("wildcards are not words");
        assertThat(texts(bob, "words -wildcards")).isEmpty();
        assertThat(texts(bob, "* words")).containsExactly("wildcards are not words");
    }

    @Test
    void badSearchesAreRefusedWithAReason() {
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        assertThat(bob.call("GET", "/api/search", null).status()).isEqualTo(400);
        assertThat(search(bob, "x", "limit=0").status()).isEqualTo(400);
        assertThat(search(bob, "x", "limit=51").status()).isEqualTo(400);
        ParleyClient.Response badCursor = search(bob, "x", "cursor=not-a-cursor");
        assertThat(badCursor.status()).isEqualTo(400);
        assertThat(badCursor.body().get("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(search(bob, "x".repeat(300), null).status()).isEqualTo(400);
        assertThat(bob.call("GET", "/api/search?q=x", null, null).status()).isEqualTo(401);
    }

    @Test
    void anErasedUsersWordsAreNoLongerFoundNorInTheIndexFiles() throws IOException {
        ParleyClient alice = ParleyClient.signUp(parley, "alice");
        ParleyClient bob = ParleyClient.signUp(parley, "bob");
        String direct = alice.openDirectWith(bob);
        String unique = "qwxzvbnmlkjh";
        send(alice, direct, "x1", "my codeword is " + unique);
        send(bob, direct, "x2", "understood, codeword noted");
        assertThat(texts(bob, unique)).hasSize(1);

        ParleyClient.Response erased = alice.call("DELETE", "/api/users/" + alice.userId + "/data", null);
        assertThat(erased.status()).isEqualTo(202);
        assertThat(erased.body().get("searchMessagesRemoved").asLong()).isEqualTo(1);

        assertThat(texts(bob, unique)).isEmpty();
        assertThat(texts(bob, "codeword")).containsExactly("understood, codeword noted");
        assertThat(indexFilesContaining(unique)).isEmpty();
    }

    /** The index files that hold this word (their names tell which segment or commit kept it). */
    private static List<String> indexFilesContaining(String word) throws IOException {
        byte[] needle = word.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.list(dataDir.resolve("search-index"))) {
            return files.filter(Files::isRegularFile).filter(file -> {
                try {
                    return Bytes.indexOf(Files.readAllBytes(file), needle) >= 0;
                } catch (IOException e) {
                    return false; // deleted while listed: it holds nothing any more
                }
            }).map(file -> file.getFileName().toString()).toList();
        }
    }
}
