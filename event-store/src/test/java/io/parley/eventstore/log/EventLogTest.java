package io.parley.eventstore.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventLogTest {

    @TempDir
    Path dir;

    @Test
    void whatAnAppendWroteIsReadBackWithItsPositionsAfterTheLogIsOpenedAgain() throws Exception {
        Path file = dir.resolve("events.log");
        try (EventLog log = EventLog.open(file)) {
            log.append(List.of(event("conversation-1", 0, "hello"), event("conversation-1", 1, "again"))).join();
            log.append(List.of(event("conversation-2", 0, "other"), event(null, 0, "no aggregate"))).join();
        }
        try (EventLog log = EventLog.open(file)) {
            List<LoggedEvent> all = log.readAfter(Long.MIN_VALUE, 100);
            assertThat(all).extracting(LoggedEvent::position).containsExactly(1L, 2L, 3L, 4L);
            assertThat(all).extracting(e -> text(e)).containsExactly("hello", "again", "other", "no aggregate");
            LoggedEvent first = all.get(0);
            assertThat(first.eventIdentifier()).isEqualTo("conversation-1/0/hello");
            assertThat(first.type()).isEqualTo("Conversation");
            assertThat(first.timestamp()).isEqualTo(Instant.parse("2026-12-02T10:00:00.123456789Z"));
            assertThat(first.payloadType()).isEqualTo("io.parley.MessageSent");
            assertThat(first.payloadRevision()).isNull();
            assertThat(new String(first.metaData(), StandardCharsets.UTF_8)).isEqualTo("{\"origin\":\"test\"}");
            assertThat(log.readAggregate("conversation-1", 1)).extracting(e -> text(e)).containsExactly("again");
            assertThat(log.lastSequenceNumber("conversation-1")).hasValue(1);
            assertThat(log.lastSequenceNumber("conversation-3")).isEmpty();
            assertThat(log.readAfter(2, 1)).extracting(LoggedEvent::position).containsExactly(3L);
            assertThat(log.readAfter(2, Integer.MAX_VALUE)).as("no limit").hasSize(2);

            log.append(List.of(event("conversation-1", 2, "after the restart"))).join();
            assertThat(log.lastPosition()).hasValue(5);
        }
    }

    @Test
    void aReaderOfTheLogsOrderGetsEveryEventWholeAcrossFramesAndReadSpansWhateverTheirSizes() throws Exception {
        Path file = dir.resolve("events.log");
        List<String> texts = new ArrayList<>();
        try (EventLog log = EventLog.open(file)) {
            int seq = 0;
            for (int frame = 0; frame < 40; frame++) {
                List<LoggedEvent> events = new ArrayList<>();
                for (int i = 0; i <= frame % 5; i++) {
                    // mostly small events, with one larger than a read span every seventh frame
                    int size = frame % 7 == 3 && i == 0 ? EventLog.READ_SPAN_BYTES * 2 + 17 : 1 + (seq * 997) % 9000;
                    String text = seq + ":" + "x".repeat(size);
                    texts.add(text);
                    events.add(event("c", seq++, text));
                }
                log.append(events).join();
            }
            for (int window : List.of(1, 3, 7, 256, Integer.MAX_VALUE)) {
                List<String> read = new ArrayList<>();
                long after = Long.MIN_VALUE;
                for (List<LoggedEvent> batch = log.readAfter(after, window); !batch.isEmpty();
                     batch = log.readAfter(after, window)) {
                    assertThat(batch).as("a batch of %d, or what is left", window)
                            .hasSize(Math.min(window, texts.size() - read.size()));
                    batch.forEach(e -> read.add(text(e)));
                    after = batch.get(batch.size() - 1).position();
                }
                assertThat(read).as("read %d at a time", window).isEqualTo(texts);
            }
        }
    }

    @Test
    void aTailACrashLeftHalfWrittenIsCutAtOpenAndTheLogGoesOnFromTheLastWholeFrame() throws Exception {
        Path file = dir.resolve("events.log");
        try (EventLog log = EventLog.open(file)) {
            log.append(List.of(event("c", 0, "kept"))).join();
            log.append(List.of(event("c", 1, "torn"), event("c", 2, "torn too"))).join();
        }
        long whole = frameEnd(file, 1);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(Files.size(file) - 3); // the second frame lost its last bytes
        }
        try (EventLog log = EventLog.open(file)) {
            assertThat(Files.size(file)).isEqualTo(whole);
            assertThat(log.readAfter(Long.MIN_VALUE, 10)).extracting(e -> text(e)).containsExactly("kept");
            assertThat(log.lastSequenceNumber("c")).hasValue(0);
            log.append(List.of(event("c", 1, "written again"))).join();
        }
        try (EventLog log = EventLog.open(file)) {
            assertThat(log.readAggregate("c", 0)).extracting(e -> text(e) + "@" + e.position())
                    .containsExactly("kept@1", "written again@2");
        }
    }

    @Test
    void aFrameWhoseChecksumDoesNotMatchEndsTheLogThere() throws Exception {
        Path file = dir.resolve("events.log");
        try (EventLog log = EventLog.open(file)) {
            log.append(List.of(event("c", 0, "kept"))).join();
            log.append(List.of(event("c", 1, "garbled"))).join();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {'X'}), Files.size(file) - 10);
        }
        try (EventLog log = EventLog.open(file)) {
            assertThat(log.readAfter(Long.MIN_VALUE, 10)).extracting(e -> text(e)).containsExactly("kept");
        }
    }

    @Test
    void anEventAtOrBelowItsAggregatesLastSequenceNumberIsRefusedWithNothingOfItsAppend() throws Exception {
        try (EventLog log = EventLog.open(dir.resolve("events.log"))) {
            log.append(List.of(event("c", 0, "first"))).join();
            assertThatThrownBy(() -> log.append(List.of(event("d", 0, "other"), event("c", 0, "again"))))
                    .isInstanceOf(EventLog.SequenceConflict.class).hasMessageContaining("aggregate c");
            assertThatThrownBy(() -> log.append(List.of(event("e", 0, "one"), event("e", 0, "twice"))))
                    .isInstanceOf(EventLog.SequenceConflict.class);
            assertThat(log.lastSequenceNumber("d")).as("nothing of the refused append").isEmpty();
            log.append(List.of(event("c", 1, "next"))).join();
            assertThat(log.readAfter(Long.MIN_VALUE, 10)).extracting(LoggedEvent::position).containsExactly(1L, 2L);
        }
    }

    @Test
    void readersSeeAnEventOnlyOnceItIsOnTheDiskWhileTheAggregatesNextCommandSeesItAtOnce() throws Exception {
        try (EventLog log = EventLog.open(dir.resolve("events.log"))) {
            log.holdWrites();
            CompletableFuture<Void> written;
            try {
                written = log.append(List.of(event("c", 0, "pending")));
                Thread.sleep(50);
                assertThat(written).isNotDone();
                assertThat(log.readAfter(Long.MIN_VALUE, 10)).isEmpty();
                assertThat(log.awaitAfter(Long.MIN_VALUE, Duration.ofMillis(20))).isFalse();
                assertThat(log.readAggregate("c", 0)).extracting(e -> text(e)).containsExactly("pending");
                assertThatThrownBy(() -> log.append(List.of(event("c", 0, "same seq"))))
                        .isInstanceOf(EventLog.SequenceConflict.class);
            } finally {
                log.releaseWrites();
            }
            written.get(5, TimeUnit.SECONDS);
            assertThat(log.readAfter(Long.MIN_VALUE, 10)).extracting(e -> text(e)).containsExactly("pending");
        }
    }

    @Test
    void appendsMadeWhileAGroupIsWrittenShareTheNextWriteAndKeepTheirOrder() throws Exception {
        Path file = dir.resolve("events.log");
        int appends = 400;
        try (EventLog log = EventLog.open(file)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<CompletableFuture<Void>> written = new ArrayList<>();
            for (int i = 0; i < appends; i++) {
                String aggregate = "c" + (i % 20);
                int n = i;
                written.add(CompletableFuture.supplyAsync(() -> appendNext(log, aggregate, "m" + n), pool)
                        .thenCompose(f -> f));
            }
            CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            pool.shutdown();
            assertThat(log.writes()).as("writes for %d appends", appends).isLessThan(appends);
        }
        try (EventLog log = EventLog.open(file)) {
            List<LoggedEvent> all = log.readAfter(Long.MIN_VALUE, 1000);
            assertThat(all).extracting(LoggedEvent::position)
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, appends).mapToObj(i -> (long) i).toList());
            for (int c = 0; c < 20; c++) {
                assertThat(log.readAggregate("c" + c, 0)).extracting(LoggedEvent::sequenceNumber)
                        .isSorted().doesNotHaveDuplicates().hasSize(appends / 20);
            }
        }
    }

    @Test
    void damageBeforeTheLastWriteIsRefusedRatherThanCutWithTheEventsAfterIt() throws Exception {
        Path file = dir.resolve("events.log");
        try (EventLog log = EventLog.open(file)) {
            log.append(List.of(event("c", 0, "first"))).join();
            String large = "x".repeat(1 << 20);
            for (int i = 1; i <= 9; i++) {
                log.append(List.of(event("c", i, large))).join(); // 9 MB after the first frame
            }
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {'X'}), 30); // inside the first frame
        }
        assertThatThrownBy(() -> EventLog.open(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("is damaged at offset 8");
        assertThat(Files.size(file)).as("nothing cut").isGreaterThan(9L << 20);
    }

    @Test
    void aTornTailIsKeptBesideTheLogWhenItIsCut() throws Exception {
        Path file = dir.resolve("events.log");
        try (EventLog log = EventLog.open(file)) {
            log.append(List.of(event("c", 0, "kept"))).join();
        }
        long whole = Files.size(file);
        Files.write(file, new byte[] {0, 0, 1, 0, 7, 7}, StandardOpenOption.APPEND);
        try (EventLog log = EventLog.open(file)) {
            assertThat(log.size()).isEqualTo(1);
        }
        assertThat(Files.readAllBytes(dir.resolve("events.log.cut-" + whole))).containsExactly(0, 0, 1, 0, 7, 7);
    }

    @Test
    void aReaderInterruptedWhileItReadsFailsAloneAndTheLogGoesOn() throws Exception {
        try (EventLog log = EventLog.open(dir.resolve("events.log"))) {
            log.append(List.of(event("c", 0, "before"))).join();
            Thread.currentThread().interrupt(); // Java closes the channel for every thread when this read begins
            try {
                assertThatThrownBy(() -> log.readAfter(Long.MIN_VALUE, 10))
                        .isInstanceOf(ClosedByInterruptException.class);
            } finally {
                Thread.interrupted();
            }
            log.append(List.of(event("c", 1, "after"))).get(5, TimeUnit.SECONDS);
            assertThat(log.readAfter(Long.MIN_VALUE, 10)).extracting(e -> text(e)).containsExactly("before", "after");
            assertThat(log.failure()).isNull();
        }
    }

    @Test
    void aWriterInterruptedWhileItWaitsFailsTheLogRatherThanLeaveAppendsWaiting() throws Exception {
        try (EventLog log = EventLog.open(dir.resolve("events.log"))) {
            log.append(List.of(event("c", 0, "before"))).join();
            List<Thread> writers = Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().equals("event-log-writer events.log") && thread.isAlive())
                    .toList();
            assertThat(writers).as("this log's writer, alone").hasSize(1);
            writers.get(0).interrupt();
            writers.get(0).join(5_000);
            assertThat(writers.get(0).isAlive()).isFalse();

            assertThat(log.failure()).hasMessageContaining("interrupted");
            assertThatThrownBy(() -> log.append(List.of(event("c", 1, "after"))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("restart");
            assertThat(log.readAfter(Long.MIN_VALUE, 10)).extracting(e -> text(e)).containsExactly("before");
        }
    }

    @Test
    void writtenCompletesOnceEveryAcceptedAppendIsOnTheDiskAndFailsOnceAWriteHasFailed() throws Exception {
        try (EventLog log = EventLog.open(dir.resolve("events.log"))) {
            assertThat(log.written()).as("nothing outstanding").isCompleted();
            CompletableFuture<Void> first;
            CompletableFuture<Void> second;
            CompletableFuture<Void> written;
            log.holdWrites();
            try {
                first = log.append(List.of(event("c", 0, "first")));
                second = log.append(List.of(event("c", 1, "second")));
                written = log.written();
                assertThat(written).as("both accepted, neither written").isNotDone();
            } finally {
                log.releaseWrites();
            }
            written.get(5, TimeUnit.SECONDS);
            assertThat(first).isCompleted();
            assertThat(second).isCompleted();

            Thread writer = Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().equals("event-log-writer events.log") && thread.isAlive())
                    .findFirst().orElseThrow();
            writer.interrupt();
            writer.join(5_000);
            assertThat(log.written()).as("after a failure, at once").isCompletedExceptionally();
        }
    }

    @Test
    void aSecondOpenOfTheSameFileIsRefused() throws Exception {
        Path file = dir.resolve("events.log");
        try (EventLog log = EventLog.open(file)) {
            assertThatThrownBy(() -> EventLog.open(file)).isInstanceOf(IOException.class)
                    .hasMessageContaining("is open already");
        }
    }

    @Test
    void aFileThatIsNotAnEventLogIsRefused() throws IOException {
        Path file = dir.resolve("other.txt");
        Files.writeString(file, "not a log at all");
        assertThatThrownBy(() -> EventLog.open(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("is not a Parley event log");
    }

    /** Appends the aggregate's next event: taking the number and appending are one step, as a command's are. */
    private static synchronized CompletableFuture<Void> appendNext(EventLog log, String aggregate, String text) {
        long seq = NEXT.merge(aggregate, 1L, Long::sum) - 1;
        return log.append(List.of(event(aggregate, seq, text)));
    }

    /** An event of {@code aggregate} (none when null) at {@code seq}. */
    private static LoggedEvent event(String aggregate, long seq, String text) {
        return new LoggedEvent(0, aggregate + "/" + seq + "/" + text, aggregate == null ? null : "Conversation",
                aggregate, aggregate == null ? 0 : seq, Instant.parse("2026-12-02T10:00:00.123456789Z"),
                "io.parley.MessageSent", null, text.getBytes(StandardCharsets.UTF_8),
                "{\"origin\":\"test\"}".getBytes(StandardCharsets.UTF_8));
    }

    /** The next sequence number per aggregate of {@link #appendNext} (one test uses it). */
    private static final Map<String, Long> NEXT = new HashMap<>();

    private static String text(LoggedEvent event) {
        return new String(event.payload(), StandardCharsets.UTF_8);
    }

    /** The file offset where frame {@code n} (1 = the first) ends. */
    private static long frameEnd(Path file, int n) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long offset = 8;
            ByteBuffer length = ByteBuffer.allocate(4);
            for (int i = 0; i < n; i++) {
                length.clear();
                channel.read(length, offset);
                offset += 8 + length.getInt(0);
            }
            return offset;
        }
    }
}
