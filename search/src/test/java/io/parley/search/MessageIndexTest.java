package io.parley.search;

import io.parley.api.error.ForbiddenException;
import io.parley.api.search.SearchQueries.Highlight;
import io.parley.api.search.SearchQueries.SearchHit;
import io.parley.testsupport.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The search index against a real Lucene directory on disk. */
class MessageIndexTest {

    @TempDir
    Path dir;

    private MessageIndex index;
    private long position;

    @BeforeEach
    void open() {
        index = MessageIndex.open(dir);
        index.memberJoined("c1", "alice");
        index.memberJoined("c1", "bob");
        index.memberJoined("c2", "carol");
    }

    @AfterEach
    void close() {
        if (index.isOpen()) {
            index.close();
        }
    }

    private void send(String conversationId, long seq, String sender, String text) {
        index.messageSent(conversationId, "m-" + conversationId + "-" + seq, seq, sender, text,
                Instant.parse("2026-01-01T00:00:00Z").plusSeconds(seq), ++position);
        index.refresh();
    }

    private List<String> texts(String user, String query) {
        return index.search(user, query, null, 50, null).hits().stream().map(SearchHit::text).toList();
    }

    @Test
    void aUserFindsMessagesOfTheirOwnConversationsOnly() {
        send("c1", 1, "alice", "the launch is on friday");
        send("c2", 1, "carol", "our launch is secret");

        assertThat(texts("bob", "launch")).containsExactly("the launch is on friday");
        assertThat(texts("carol", "launch")).containsExactly("our launch is secret");
        assertThat(texts("mallory", "launch")).isEmpty();
    }

    @Test
    void aQueryWithoutAWordToFindIsRefusedWhateverItsOperators() {
        send("c1", 1, "alice", "stars are *not* words");
        for (String query : List.of("*", "* * *", "**", "***", "* *", "!!!", "?", "\"\"", "\"*\"", "-stars",
                "-stars -words", "- *", "...", "-*", "()", "|", "+")) {
            assertThatThrownBy(() -> index.search("bob", query, null, 10, null)).as("q=%s", query)
                    .isInstanceOf(io.parley.api.error.InvalidCommandException.class)
                    .hasMessageStartingWith("q has no word to find");
        }
        for (String query : List.of("stars", "sta*", "* stars", "stars -moon*", "\"are not\"", "w*")) {
            assertThat(texts("bob", query)).as("q=%s", query)
                    .containsExactly("stars are *not* words");
        }
    }

    @Test
    void searchingAConversationOfWhichOneIsNotAMemberIsForbidden() {
        send("c2", 1, "carol", "our launch is secret");

        assertThatThrownBy(() -> index.search("bob", "launch", "c2", 10, null))
                .isInstanceOf(ForbiddenException.class);
        assertThat(index.search("carol", "launch", "c2", 10, null).hits()).hasSize(1);
    }

    @Test
    void caseAndAccentsDoNotMatter() {
        send("c1", 1, "alice", "Rendez-vous au Café Crème, straße 5");

        assertThat(texts("bob", "cafe")).hasSize(1);
        assertThat(texts("bob", "CAFÉ")).hasSize(1);
        assertThat(texts("bob", "creme")).hasSize(1);
        assertThat(texts("bob", "strasse")).hasSize(1);
        assertThat(texts("bob", "caf*")).hasSize(1);
        assertThat(texts("bob", "tea")).isEmpty();
    }

    @Test
    void chineseJapaneseAndKoreanWordsAreFoundInsideUnspacedText() {
        send("c1", 1, "alice", "我们明天在北京见面");
        send("c1", 2, "alice", "東京都に住んでいます");
        send("c1", 3, "alice", "안녕하세요 여러분");
        send("c1", 4, "alice", "ｆｕｌｌ　ｗｉｄｔｈ ｔｅｘｔ");

        assertThat(texts("bob", "北京")).containsExactly("我们明天在北京见面");
        assertThat(texts("bob", "明天见面")).isEmpty(); // all bigrams must occur: 天见 does not
        assertThat(texts("bob", "東京")).containsExactly("東京都に住んでいます");
        assertThat(texts("bob", "住んで")).containsExactly("東京都に住んでいます");
        assertThat(texts("bob", "안녕")).containsExactly("안녕하세요 여러분");
        assertThat(texts("bob", "width")).containsExactly("ｆｕｌｌ　ｗｉｄｔｈ ｔｅｘｔ");
    }

    @Test
    void allWordsMustOccurAndAQuotedPhraseMustOccurTogether() {
        send("c1", 1, "alice", "red apples and green pears");
        send("c1", 2, "alice", "green apples");

        assertThat(texts("bob", "green apples")).hasSize(2);
        assertThat(texts("bob", "\"green apples\"")).containsExactly("green apples");
        assertThat(texts("bob", "apples -pears")).containsExactly("green apples");
    }

    @Test
    void matchedWordsAreMarkedAsRangesOfTheOriginalText() {
        send("c1", 1, "alice", "Meet at the Café <b>now</b>, café!");

        SearchHit hit = index.search("bob", "cafe", null, 10, null).hits().get(0);
        assertThat(hit.text()).isEqualTo("Meet at the Café <b>now</b>, café!");
        assertThat(hit.highlights()).containsExactly(new Highlight(12, 16), new Highlight(29, 33));
        assertThat(hit.highlights()).allSatisfy(h ->
                assertThat(hit.text().substring(h.start(), h.end())).isEqualToIgnoringCase("café"));
    }

    @Test
    void anEditedMessageIsFoundByItsNewWordsOnly() {
        send("c1", 1, "alice", "see you at noon");
        index.messageEdited("c1", 1, "see you at midnight", Instant.parse("2026-01-02T00:00:00Z"));
        index.refresh();

        assertThat(texts("bob", "noon")).isEmpty();
        SearchHit hit = index.search("bob", "midnight", null, 10, null).hits().get(0);
        assertThat(hit.seq()).isEqualTo(1);
        assertThat(hit.editedAt()).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
    }

    @Test
    void aDeletedMessageIsNotFoundAndAnEditAfterItDoesNotBringItBack() {
        send("c1", 1, "alice", "secret plan");
        index.messageDeleted("c1", 1);
        index.messageEdited("c1", 1, "secret plan again", Instant.now());
        index.refresh();

        assertThat(texts("bob", "secret")).isEmpty();
    }

    @Test
    void aMemberWhoLeftFindsNothingOfThatConversation() {
        send("c1", 1, "alice", "before the removal");
        index.memberLeft("c1", "bob");
        send("c1", 2, "alice", "after the removal");
        index.refresh();

        assertThat(texts("bob", "removal")).isEmpty();
        assertThat(texts("alice", "removal")).containsExactly("after the removal", "before the removal");
    }

    @Test
    void resultsComeNewestFirstInPagesThatNeitherRepeatNorSkip() {
        for (int seq = 1; seq <= 25; seq++) {
            send("c1", seq, "alice", "status report " + seq);
        }
        List<Long> seen = new ArrayList<>();
        Long before = null;
        int pages = 0;
        do {
            MessageIndex.Page page = index.search("bob", "report", null, 10, before);
            page.hits().forEach(h -> seen.add(h.seq()));
            before = page.nextBefore();
            pages++;
        } while (before != null);

        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(25).doesNotHaveDuplicates();
        assertThat(seen).isSortedAccordingTo((a, b) -> Long.compare(b, a));
    }

    @Test
    void applyingTheSameEventsTwiceGivesTheSameResults() {
        send("c1", 1, "alice", "hello again");
        position--; // the same event, redelivered
        send("c1", 1, "alice", "hello again");
        index.memberJoined("c1", "bob");
        index.refresh();

        assertThat(texts("bob", "hello")).hasSize(1);
    }

    @Test
    void purgingAnErasedSendersMessagesLeavesNoTraceOfTheirWordsInTheIndexFiles() throws IOException {
        String unique = "zyxwvutsrqplk";
        send("c1", 1, "alice", "my password hint is " + unique + " do not share");
        send("c1", 2, "bob", "noted, thanks");
        index.commit(Map.of("k", "v"));
        assertThat(filesContain(unique)).as("the word is on disk before the purge").isTrue();

        long removed = index.purgeSender("alice", position, Map.of("k", "v2"));

        assertThat(removed).isEqualTo(1);
        assertThat(texts("bob", unique)).isEmpty();
        assertThat(texts("alice", "noted")).hasSize(1);
        assertThat(filesContain(unique)).as("the word is gone from the files after the purge").isFalse();
        assertThat(index.committedData()).containsEntry("k", "v2");
    }

    /**
     * The erased sender's few messages share one large segment with many others' (under forceMergeDeletes' default
     * threshold of 10 % deleted, that segment was not rewritten and the word stayed in its stored fields, .fdt).
     */
    @Test
    void purgingAFewMessagesOutOfALargeSegmentRewritesItToo() throws IOException {
        String unique = "qwmnbvcxzlkjh";
        for (int i = 1; i <= 200; i++) {
            index.messageSent("c1", "m-c1-" + i, i, "bob", "an ordinary message number " + i,
                    Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i), ++position);
        }
        index.messageSent("c1", "m-c1-201", 201, "alice", "the secret is " + unique, Instant.now(), ++position);
        index.messageSent("c1", "m-c1-202", 202, "alice", "again " + unique + " here", Instant.now(), ++position);
        index.commit(Map.of("k", "v"));
        assertThat(filesContain(unique)).as("the word is on disk before the purge").isTrue();

        assertThat(index.purgeSender("alice", position, Map.of("k", "v2"))).isEqualTo(2);

        assertThat(texts("bob", "ordinary")).hasSize(50);
        assertThat(filesContain(unique)).as("the word is gone from every index file after the purge").isFalse();
    }

    /**
     * Searches running while the purge rewrites the segments hold readers of the old ones, whose files Lucene deletes
     * only when the last of them is done: the purge answers once those files are gone, not when the writer is done.
     */
    @Test
    void aPurgeDuringSearchesAnswersOnlyOnceNoIndexFileHoldsTheWords() throws Exception {
        AtomicBoolean searching = new AtomicBoolean(true);
        Thread searches = new Thread(() -> {
            while (searching.get()) {
                texts("bob", "ordinary");
            }
        });
        searches.start();
        try {
            for (int round = 0; round < 5; round++) {
                String unique = "qzx" + "abcdefghij".charAt(round) + "vbnmlkjhgf";
                for (int i = 1; i <= 100; i++) {
                    long seq = round * 1000L + i;
                    String sender = i % 10 == 0 ? "alice" : "bob";
                    send("c1", seq, sender, sender.equals("alice") ? "secret " + unique : "an ordinary message " + i);
                }
                index.commit(Map.of("k", "v"));
                assertThat(filesContain(unique)).as("round %d: the word is on disk before the purge", round).isTrue();

                assertThat(index.purgeSender("alice", position, Map.of("k", "v2"))).isEqualTo(10);

                assertThat(filesContain(unique)).as("round %d: the word is in no file once the purge answers", round)
                        .isFalse();
            }
        } finally {
            searching.set(false);
            searches.join();
        }
    }

    @Test
    void aPurgeOfANewIndexAnswersOnceItsOnlySegmentIsRewrittenAndCommitted() throws IOException {
        // The flush of the purge's commit may start a merge that ends before the searchers refresh: they then saw
        // the rewritten segment while the commit still named the old one, and the purge waited 10 s for files its
        // commit kept (one purge in six under load). Repeated, as the race needs a merge to end at the wrong moment.
        index.close();
        for (int run = 0; run < 100; run++) {
            Path runDir = Files.createDirectory(dir.resolve("run-" + run));
            index = MessageIndex.open(runDir);
            index.memberJoined("c1", "alice");
            index.memberJoined("c1", "bob");
            index.messageSent("c1", "m-" + run, 1, "alice", "qzxwvut" + run, Instant.EPOCH, 1);
            index.refresh();

            index.purgeSender("alice", 2, Map.of());

            assertThat(filesContain(runDir, "qzxwvut" + run)).as("run %d", run).isFalse();
            index.close();
        }
        index = MessageIndex.open(dir);
    }

    @Test
    void aPurgeWhileTheSendersNewMessagesAreIndexedAnswersAndKeepsThemFindable() throws Exception {
        send("c1", 1, "alice", "qzxoldwordq");
        index.commit(Map.of());
        long erasedAt = position;
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread newMessages = new Thread(() -> {
            // messages under a new key, indexed by the projection while the purge runs on its own thread
            for (long seq = 100; sending.get(); seq++) {
                index.messageSent("c1", "m-new-" + seq, seq, "alice", "fresh words " + seq,
                        Instant.parse("2026-01-01T00:00:00Z").plusSeconds(seq), erasedAt + seq);
                index.refresh();
            }
        });
        newMessages.start();
        try {
            index.purgeSender("alice", erasedAt, Map.of());
        } finally {
            sending.set(false);
            newMessages.join();
        }

        assertThat(filesContain("qzxoldwordq")).isFalse();
        assertThat(texts("bob", "fresh")).isNotEmpty();
    }

    @Test
    void anErasedSendersOlderMessageReadLateStaysOutButTheirNewMessagesAreFound() {
        send("c1", 1, "alice", "old words");
        long erasedAt = position + 1; // the head when the keys were destroyed: one more event not yet indexed
        index.purgeSender("alice", erasedAt, Map.of());

        send("c1", 2, "alice", "late old words"); // decrypted before the erasure, indexed after the purge
        send("c1", 3, "alice", "fresh words");    // written after the erasure, under a new key

        assertThat(texts("bob", "words")).containsExactly("fresh words");
    }

    @Test
    void whatWasCommittedIsThereAfterAReopen() {
        send("c1", 1, "alice", "durable words");
        index.commit(Map.of("token", "42"));
        index.close();

        index = MessageIndex.open(dir);

        assertThat(index.committedData()).containsEntry("token", "42");
        assertThat(texts("bob", "durable")).hasSize(1);
    }

    /**
     * A search whose client hangs up is interrupted on its worker thread, possibly while its refresh writes the newest
     * segment; an erasure's or a commit's caller likewise. Before the index did that file work on threads of its own,
     * the first such refresh closed the index for good ("this IndexWriter is closed").
     */
    @Test
    void aRefreshOrCommitCalledOnAnInterruptedThreadLeavesTheIndexWorking() throws Exception {
        List<Throwable> failures = new ArrayList<>();
        List<Boolean> stillInterrupted = new ArrayList<>();
        for (int round = 1; round <= 10; round++) {
            for (int i = 0; i < 50; i++) {
                index.messageSent("c1", "m-" + round + "-" + i, round * 100L + i, "alice", "round" + round + " words",
                        Instant.parse("2026-01-01T00:00:00Z"), ++position);
            }
            boolean commit = round % 2 == 0;
            int r = round;
            Thread caller = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    if (commit) {
                        index.commit(Map.of("token", String.valueOf(r)));
                    } else {
                        index.refresh();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
                stillInterrupted.add(Thread.currentThread().isInterrupted());
            });
            caller.start();
            caller.join();
        }

        assertThat(failures).isEmpty();
        assertThat(stillInterrupted).as("the caller's interrupt is left for it to see").containsOnly(true);
        assertThat(index.isOpen()).isTrue();
        send("c1", 2000, "alice", "afterwards");
        assertThat(texts("bob", "afterwards")).containsExactly("afterwards");
        assertThat(texts("bob", "round3")).hasSize(50);
        index.commit(Map.of("token", "last"));
        assertThat(index.committedData()).containsEntry("token", "last");
    }

    private boolean filesContain(String word) throws IOException {
        return filesContain(dir, word);
    }

    /**
     * Whether any file of the index holds {@code word}. A file Lucene deletes between the listing and its read (a
     * merge, a commit) holds nothing any more, but what it held may now be in a file the listing missed: such a pass
     * that found nothing is not an answer, and the whole directory is read again.
     */
    private static boolean filesContain(Path indexDir, String word) throws IOException {
        byte[] needle = word.getBytes(StandardCharsets.UTF_8);
        for (int pass = 0; pass < 20; pass++) {
            boolean vanished = false;
            try (Stream<Path> files = Files.list(indexDir)) {
                for (Path file : files.filter(file -> !Files.isDirectory(file)).toList()) {
                    byte[] bytes;
                    try {
                        bytes = Files.readAllBytes(file);
                    } catch (NoSuchFileException deletedMeanwhile) {
                        vanished = true;
                        continue;
                    }
                    if (Bytes.indexOf(bytes, needle) >= 0) {
                        return true;
                    }
                }
            }
            if (!vanished) {
                return false;
            }
        }
        throw new IllegalStateException("the index's files kept changing while they were read");
    }
}
