package io.parley.bench.inprocess;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.parley.bench.Args;
import io.parley.bench.Cpu;
import io.parley.search.MessageIndex;
import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The search index alone, at size, without booting Parley: feeds N messages (default 1,000,000) into
 * {@link MessageIndex} with the calls {@code SearchProjection} makes for them, in batches as its processor does
 * (searchable after every batch, durable every second), then times searches with their highlighting. It isolates what
 * search adds to a projection rebuild, whose event store read rate the {@code rebuild} scenario measures; the
 * {@code message-search} scenario of {@link InProcessBench} measures the whole path (event store, processor, query bus)
 * and needs a machine quiet enough to append a million events first.
 * <p>
 * Usage: {@code SearchIndexBench --out=DIR --data-dir=DIR [--events=1000000] [--conversations=1000] [--batch=500]
 * [--queries=5000]}. Writes {@code searchIndex.part.json}.
 */
public final class SearchIndexBench {

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Path out = Path.of(args.required("out"));
        Path data = Path.of(args.required("data-dir")).toAbsolutePath().resolve("search-index");
        Files.createDirectories(out);
        Files.createDirectories(data);
        int events = args.integer("events", 1_000_000);
        int conversations = args.integer("conversations", 1000);
        int batch = args.integer("batch", 500);
        int queries = args.integer("queries", 5000);

        Random random = new Random(42);
        String[] vocabulary = SearchBench.vocabulary(20_000, random);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("startedAt", Instant.now().toString());
        try (MessageIndex index = MessageIndex.open(data)) {
            String[][] members = new String[conversations][];
            for (int c = 0; c < conversations; c++) {
                members[c] = new String[]{"si-user-" + (2 * c), "si-user-" + (2 * c + 1)};
                index.memberJoined("c" + c, members[c][0]);
                index.memberJoined("c" + c, members[c][1]);
            }
            Cpu cpu = new Cpu(-1);
            Cpu.Sample c0 = cpu.sample();
            long start = System.nanoTime();
            long lastCommit = start;
            long lastPrint = start;
            int commits = 0;
            for (int i = 1; i <= events; i++) {
                int c = i % conversations;
                long seq = i / conversations + 1;
                index.messageSent("c" + c, UUID.randomUUID().toString(), seq, members[c][(int) (seq % 2)],
                        SearchBench.text(vocabulary, random), Instant.now(), i);
                if (i % batch == 0) {
                    long now = System.nanoTime();
                    if (now - lastCommit >= 1_000_000_000L) {
                        index.commit(Map.of("position", Integer.toString(i)));
                        lastCommit = now;
                        commits++;
                    } else {
                        index.refresh();
                    }
                    if (now - lastPrint > 10_000_000_000L) {
                        lastPrint = now;
                        System.out.printf("   [index] %,d messages, %.0f/s%n", i, i / ((now - start) / 1e9));
                    }
                }
            }
            index.commit(Map.of("position", Integer.toString(events)));
            double seconds = (System.nanoTime() - start) / 1e9;
            Cpu.Use use = cpu.between(c0, cpu.sample());
            r.put("messages", events);
            r.put("conversations", conversations);
            r.put("batch", batch);
            r.put("indexSeconds", Math.round(seconds * 10) / 10.0);
            r.put("indexMessagesPerSecond", Math.round(events / seconds));
            r.put("indexCpuPct", use.generatorPct());
            r.put("durableCommits", commits);
            System.out.printf("   indexed %,d messages in %.1f s: %.0f/s (CPU %.0f%%)%n", events, seconds,
                    events / seconds, use.generatorPct());

            Histogram one = new Histogram(60_000_000_000L, 3);
            Histogram two = new Histogram(60_000_000_000L, 3);
            long hits = 0;
            int warmup = Math.min(500, queries / 5);
            for (int i = 0; i < warmup + queries; i++) {
                int c = random.nextInt(conversations);
                boolean both = i % 2 == 1;
                String words = both ? SearchBench.word(vocabulary, random) + " " + SearchBench.word(vocabulary, random)
                        : SearchBench.word(vocabulary, random);
                long t = System.nanoTime();
                MessageIndex.Page page = index.search(members[c][random.nextInt(2)], words, null, 20, null);
                long nanos = System.nanoTime() - t;
                if (i >= warmup) {
                    (both ? two : one).recordValue(nanos);
                    hits += page.hits().size();
                }
            }
            Histogram all = new Histogram(60_000_000_000L, 3);
            all.add(one);
            all.add(two);
            r.put("queries", queries);
            r.put("averageHitsPerQuery", Math.round(10.0 * hits / queries) / 10.0);
            r.put("oneWordMs", SearchBench.percentiles(one));
            r.put("twoWordsMs", SearchBench.percentiles(two));
            r.put("allMs", SearchBench.percentiles(all));
            r.put("indexMB", Math.round(SearchBench.size(data) / 1048576.0));
            r.put("maxHeapMB", Runtime.getRuntime().maxMemory() / 1048576);
            r.put("cores", Runtime.getRuntime().availableProcessors());
            System.out.printf("   %,d searches: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%.1f hits per answer); index %d MB%n",
                    queries, all.getValueAtPercentile(50) / 1e6, all.getValueAtPercentile(99) / 1e6,
                    all.getMaxValue() / 1e6, (double) hits / queries, SearchBench.size(data) / 1048576);
        }
        r.put("finishedAt", Instant.now().toString());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve("searchIndex.part.json").toFile(), Map.of("searchIndex", r));
        System.out.println("== written " + out.resolve("searchIndex.part.json"));
    }
}
