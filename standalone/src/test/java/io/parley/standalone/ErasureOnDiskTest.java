package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.testsupport.Bytes;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.parley.standalone.ParleyClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 19, item 1: erased text is gone from every file Parley writes, by construction. A user writes a word found
 * nowhere else in several messages (searched, so it is in the search index; previewed in a notification waiting in
 * the outbox), is erased, the erasure completes, the application stops cleanly, and then every file under the data
 * directory (the H2 database with its old pages, the search index, keys, media) is read byte for byte for the word in
 * UTF-8, UTF-16LE and UTF-16BE: no hit.
 */
class ErasureOnDiskTest {

    private static final List<Charset> ENCODINGS = List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16LE,
            StandardCharsets.UTF_16BE);

    @Test
    void afterAnErasureCompletesNoFileUnderTheDataDirectoryHoldsTheErasedWords() throws Exception {
        Path dataDir = Files.createTempDirectory("parley-erasure-disk");
        String word = uniqueWord();
        String admin = "disk_admin";
        List<String> before;
        try (RunningParley parley = RunningParley.start(dataDir, "parley.roles.admins=" + admin,
                "parley.notifications.delay=200ms", "parley.notifications.poll-interval=100ms",
                "parley.notifications.allow-plain-http=true",
                "parley.notifications.allow-private-addresses=true", "parley.notifications.backoff-base=60s",
                "parley.notifications.max-attempts=50")) {
            ParleyClient operator = ParleyClient.signUpExactly(parley, admin);
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = alice.openDirectWith(bob);
            String path = "/api/conversations/" + conversation + "/messages";
            // bob is offline and wants previews: alice's words wait in the outbox for a webhook nobody answers
            assertThat(bob.call("PUT", "/api/notification-settings", json("showPreview", true)).status())
                    .isEqualTo(200);
            assertThat(bob.call("POST", "/api/devices", json("kind", "webhook", "url", "http://127.0.0.1:9/hook"))
                    .status()).isEqualTo(201);

            for (int i = 1; i <= 5; i++) {
                assertThat(alice.call("POST", path, json("clientMsgId", "a" + i,
                        "text", "message " + i + " holds " + word + " in it")).status()).isEqualTo(201);
            }
            assertThat(alice.call("PATCH", path + "/1", json("text", "edited, still " + word)).status())
                    .isEqualTo(204);
            assertThat(bob.call("POST", path, json("clientMsgId", "b1", "text", "bob answers plainly")).status())
                    .isEqualTo(201);
            await().atMost(Duration.ofSeconds(20)).until(() -> searchHits(bob, word) == 5);
            assertThat(texts(bob, path)).hasSize(6).first().isEqualTo("edited, still " + word);
            await().atMost(Duration.ofSeconds(20)).until(() -> !outboxPayloads(parley, bob.userId).isEmpty());
            assertThat(outboxPayloads(parley, bob.userId)).as("the outbox holds the preview sealed")
                    .allSatisfy(p -> assertThat(p).startsWith("enc:v1:").doesNotContain(word));

            before = filesHolding(dataDir, word);
            assertThat(before).as("the scan finds the word where it is held in clear: the search index")
                    .isNotEmpty().allMatch(file -> file.startsWith("search-index"));

            ParleyClient.Response erased = alice.call("DELETE", "/api/users/" + alice.userId + "/data", null);
            assertThat(erased.status()).as(erased.toString()).isEqualTo(202);
            assertThat(erased.body().get("keysErased").asInt()).isEqualTo(1);
            assertThat(erased.body().get("searchMessagesRemoved").asLong()).isEqualTo(5);

            // the erasure is complete once the rebuild of the read model with text has caught up
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode status = operator.call("GET", "/api/admin/projections/conversation-projection", null).body();
                return status.get("caughtUp").asBoolean() && !status.get("replaying").asBoolean();
            });
            List<String> after = texts(bob, path);
            assertThat(after).hasSize(6).containsOnly(null, "bob answers plainly");
            assertThat(searchHits(bob, word)).isZero();
            assertThat(filesHolding(dataDir, word)).as("while still running; the index's last commit refers to %s",
                    committedIndexFiles(dataDir)).isEmpty();
        }

        List<String> hits = filesHolding(dataDir, word);
        assertThat(hits).as("files under the data directory holding '%s' after a clean stop (%d files scanned)",
                word, filesUnder(dataDir).size()).isEmpty();
        assertThat(filesUnder(dataDir)).as("the scan read the database and the index")
                .anyMatch(file -> file.endsWith(".mv.db")).anyMatch(file -> file.startsWith("search-index"));
    }

    /** Letters only, so no analyzer splits it, and unlike anything else in the files. */
    private static String uniqueWord() {
        Random random = new Random();
        StringBuilder word = new StringBuilder("erz");
        for (int i = 0; i < 12; i++) {
            word.append((char) ('a' + random.nextInt(26)));
        }
        return word.toString();
    }

    private static long searchHits(ParleyClient who, String word) {
        ParleyClient.Response response = who.call("GET", "/api/search?q="
                + URLEncoder.encode(word, StandardCharsets.UTF_8), null);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.body().get("results").size();
    }

    private static List<String> texts(ParleyClient client, String path) {
        ParleyClient.Response page = client.call("GET", path, null);
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        List<String> texts = new ArrayList<>();
        page.body().get("messages").forEach(m -> texts.add(m.get("text") == null || m.get("text").isNull()
                ? null : m.get("text").asText()));
        return texts;
    }

    private static List<String> outboxPayloads(RunningParley parley, String userId) throws Exception {
        List<String> payloads = new ArrayList<>();
        try (Connection c = parley.bean(DataSource.class).getConnection();
             PreparedStatement s = c.prepareStatement("SELECT payload FROM ntf_deliveries WHERE user_id = ?")) {
            s.setString(1, userId);
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    payloads.add(rows.getString(1));
                }
            }
        }
        return payloads;
    }

    /** The files the search index's last commit refers to (which of the files holding a word Lucene still keeps). */
    private static Collection<String> committedIndexFiles(Path dataDir) throws IOException {
        try (Directory index = FSDirectory.open(dataDir.resolve("search-index"))) {
            return SegmentInfos.readLatestCommit(index).files(true);
        }
    }

    private static List<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()).toList();
        }
    }

    /** The files (relative to {@code dir}) whose bytes hold the word in any of the encodings. */
    static List<String> filesHolding(Path dir, String word) throws IOException {
        List<String> found = new ArrayList<>();
        for (String file : filesUnder(dir)) {
            byte[] bytes = Files.readAllBytes(dir.resolve(file));
            for (Charset encoding : ENCODINGS) {
                if (Bytes.indexOf(bytes, word.getBytes(encoding)) >= 0) {
                    found.add(file + " (" + encoding + ")");
                    break;
                }
            }
        }
        return found;
    }
}
