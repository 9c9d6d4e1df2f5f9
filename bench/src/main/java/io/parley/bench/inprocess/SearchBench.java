package io.parley.bench.inprocess;

import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.ConversationIds;
import io.parley.api.search.SearchQueries.SearchMessagesQuery;
import io.parley.api.search.SearchQueries.SearchPage;
import io.parley.bench.Cpu;
import org.HdrHistogram.Histogram;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code --scenario=message-search}: the search index's rate and its answers' latency at size.
 * <ol>
 *   <li>appends N messages (default 1,000,000) in direct conversations straight to the event store, every processor
 *   stopped (appending is not what is measured); texts are 6 to 14 words drawn from a vocabulary of 20,000
 *   pseudo-words with a Zipf-like distribution (a few words very common, most rare), as in real text;</li>
 *   <li>starts {@code search-projection} from an empty index and measures events/s until it has reached the head;</li>
 *   <li>sends Q searches ({@code SearchMessagesQuery} on the query bus: the read-your-writes wait, membership, the
 *   Lucene search, highlighting) for random members with one or two words of the vocabulary, on one thread, and
 *   reports p50/p90/p99/max.</li>
 * </ol>
 */
final class SearchBench {

    private static final String PROCESSOR = "search-projection";

    private SearchBench() {
    }

    static Map<String, Object> run(ConfigurableApplicationContext context, Path dataDir, int events, int conversations,
                                   int batch, int queries, int indexMaxSeconds) throws InterruptedException {
        EventStore eventStore = context.getBean(EventStore.class);
        EventProcessingConfiguration processing = context.getBean(EventProcessingConfiguration.class);
        StreamingEventProcessor search = processing.eventProcessor(PROCESSOR, StreamingEventProcessor.class)
                .orElseThrow(() -> new IllegalStateException("no streaming processor " + PROCESSOR));
        List<String> stopped = InProcessBench.stopLogFollowers(context);

        Random random = new Random(42);
        String[] vocabulary = vocabulary(20_000, random);
        System.out.printf("== search: appending %,d messages in %d direct conversations; stopped %s%n", events,
                conversations, stopped);
        String[] ids = new String[conversations];
        String[][] members = new String[conversations][];
        List<EventMessage<?>> pending = new ArrayList<>(batch);
        long appendStart = System.nanoTime();
        long appended = 0;
        for (int c = 0; c < conversations; c++) {
            String a = "sb-user-" + (2 * c);
            String b = "sb-user-" + (2 * c + 1);
            ids[c] = ConversationIds.direct(a, b);
            members[c] = new String[]{a, b};
            List<String> pair = a.compareTo(b) < 0 ? List.of(a, b) : List.of(b, a);
            pending.add(new GenericDomainEventMessage<>("Conversation", ids[c], 0,
                    new DirectConversationOpened(ids[c], pair, a, Instant.now())));
        }
        int perConversation = Math.max(1, events / conversations);
        long lastPrint = appendStart;
        outer:
        for (int seq = 1; seq <= perConversation; seq++) {
            for (int c = 0; c < conversations; c++) {
                pending.add(new GenericDomainEventMessage<>("Conversation", ids[c], seq,
                        new MessageSent(ids[c], UUID.randomUUID().toString(), seq, members[c][seq % 2], "sb-" + seq,
                                text(vocabulary, random), List.of(), Instant.now())));
                if (pending.size() >= batch) {
                    appended += InProcessBench.flush(eventStore, pending);
                    long now = System.nanoTime();
                    if (now - lastPrint > 5_000_000_000L) {
                        lastPrint = now;
                        System.out.printf("   appended %,d events (%.0f/s)%n", appended,
                                appended / ((now - appendStart) / 1e9));
                    }
                }
                if (appended + pending.size() >= events + conversations) {
                    break outer;
                }
            }
        }
        appended += InProcessBench.flush(eventStore, pending);
        double appendSeconds = (System.nanoTime() - appendStart) / 1e9;
        long head = eventStore.createHeadToken().position().orElse(0);
        System.out.printf("   appended %,d events in %.1f s; head %,d%n", appended, appendSeconds, head);

        // index from empty
        search.resetTokens();
        Cpu cpu = new Cpu(-1);
        Cpu.Sample c0 = cpu.sample();
        long start = System.nanoTime();
        search.start();
        List<Map<String, Object>> progress = new ArrayList<>();
        long caughtUp = -1;
        long lastPosition = 0;
        long lastTime = start;
        long deadline = start + indexMaxSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            Thread.sleep(2000);
            long now = System.nanoTime();
            long position = 0;
            for (EventTrackerStatus status : search.processingStatus().values()) {
                OptionalLong p = status.getCurrentPosition();
                position = Math.max(position, p.orElse(0));
            }
            double rate = (position - lastPosition) / ((now - lastTime) / 1e9);
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("t", Math.round((now - start) / 1e8) / 10.0);
            point.put("position", position);
            point.put("eventsPerSecond", Math.round(rate));
            progress.add(point);
            System.out.printf("   [index] t=%5.1fs position %,d of %,d (%.0f%%), %.0f events/s%n", (now - start) / 1e9,
                    position, head, 100.0 * position / Math.max(1, head), rate);
            lastPosition = position;
            lastTime = now;
            if (position >= head) {
                caughtUp = now;
                break;
            }
        }
        Cpu.Use use = cpu.between(c0, cpu.sample());
        double indexSeconds = ((caughtUp > 0 ? caughtUp : System.nanoTime()) - start) / 1e9;
        long indexed = caughtUp > 0 ? appended : lastPosition;

        // queries
        QueryGateway gateway = context.getBean(QueryGateway.class);
        Histogram oneWord = new Histogram(60_000_000_000L, 3);
        Histogram twoWords = new Histogram(60_000_000_000L, 3);
        long hits = 0;
        long emptyAnswers = 0;
        int warmup = Math.min(200, queries / 5);
        for (int i = 0; i < warmup + queries; i++) {
            int c = random.nextInt(conversations);
            String user = members[c][random.nextInt(2)];
            boolean two = i % 2 == 1;
            String words = two ? word(vocabulary, random) + " " + word(vocabulary, random) : word(vocabulary, random);
            long t = System.nanoTime();
            SearchPage page = gateway.query(new SearchMessagesQuery(user, words, null, 20, null),
                    ResponseTypes.instanceOf(SearchPage.class)).join();
            long nanos = System.nanoTime() - t;
            if (i >= warmup) {
                (two ? twoWords : oneWord).recordValue(nanos);
                hits += page.results().size();
                if (page.results().isEmpty()) {
                    emptyAnswers++;
                }
            }
        }
        long indexBytes = size(dataDir.resolve("search-index"));

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("messages", appended - conversations);
        r.put("events", appended);
        r.put("conversations", conversations);
        r.put("vocabulary", vocabulary.length);
        r.put("appendSeconds", Math.round(appendSeconds * 10) / 10.0);
        r.put("indexSeconds", Math.round(indexSeconds * 10) / 10.0);
        r.put("caughtUp", caughtUp > 0);
        r.put("indexEventsPerSecond", Math.round(indexed / indexSeconds));
        r.put("indexCpuPct", use.generatorPct());
        r.put("indexMB", Math.round(indexBytes / 1048576.0));
        r.put("queries", queries);
        r.put("averageHitsPerQuery", Math.round(10.0 * hits / queries) / 10.0);
        r.put("emptyAnswers", emptyAnswers);
        r.put("oneWordMs", percentiles(oneWord));
        r.put("twoWordsMs", percentiles(twoWords));
        Histogram all = new Histogram(60_000_000_000L, 3);
        all.add(oneWord);
        all.add(twoWords);
        r.put("allMs", percentiles(all));
        r.put("progress", progress);
        System.out.printf("   indexed %,d events in %.1f s: %.0f events/s (CPU %.0f%%), index %d MB%n", indexed,
                indexSeconds, indexed / indexSeconds, use.generatorPct(), indexBytes / 1048576);
        System.out.printf("   %,d searches: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%.1f hits per answer)%n", queries,
                all.getValueAtPercentile(50) / 1e6, all.getValueAtPercentile(99) / 1e6, all.getMaxValue() / 1e6,
                (double) hits / queries);
        return r;
    }

    static Map<String, Object> percentiles(Histogram h) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("count", h.getTotalCount());
        for (double q : new double[]{50, 90, 99}) {
            p.put("p" + (int) q, Math.round(h.getValueAtPercentile(q) / 1e4) / 100.0);
        }
        p.put("max", Math.round(h.getMaxValue() / 1e4) / 100.0);
        return p;
    }

    /** Pronounceable pseudo-words (two to four syllables), distinct. */
    static String[] vocabulary(int size, Random random) {
        String[] consonants = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "sh"};
        String[] vowels = {"a", "e", "i", "o", "u", "ai", "ou"};
        java.util.LinkedHashSet<String> words = new java.util.LinkedHashSet<>();
        while (words.size() < size) {
            StringBuilder w = new StringBuilder();
            int syllables = 2 + random.nextInt(3);
            for (int s = 0; s < syllables; s++) {
                w.append(consonants[random.nextInt(consonants.length)]).append(vowels[random.nextInt(vowels.length)]);
            }
            words.add(w.toString());
        }
        return words.toArray(String[]::new);
    }

    /** A word with a Zipf-like rank distribution: rank ~ size^u for uniform u. */
    static String word(String[] vocabulary, Random random) {
        int rank = (int) Math.floor(Math.pow(vocabulary.length, random.nextDouble())) - 1;
        return vocabulary[Math.max(0, Math.min(vocabulary.length - 1, rank))];
    }

    static String text(String[] vocabulary, Random random) {
        int n = 6 + random.nextInt(9);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(word(vocabulary, random));
        }
        return text.toString();
    }

    static long size(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return -1;
        }
    }
}
