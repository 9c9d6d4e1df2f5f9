package io.parley.bench.inprocess;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.parley.api.conversation.ConversationCommands.OpenDirectConversation;
import io.parley.api.conversation.ConversationCommands.SendMessage;
import io.parley.api.conversation.ConversationEvents.DirectConversationOpened;
import io.parley.api.conversation.ConversationEvents.GroupCreated;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.MemberRole;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.api.conversation.ConversationIds;
import io.parley.bench.Args;
import io.parley.bench.Bench;
import io.parley.bench.Cpu;
import io.parley.bench.Latency;
import org.HdrHistogram.Histogram;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Benchmarks that need the inside of a Parley process, run against the standalone set-up (H2 file database) booted
 * in this JVM:
 * <ul>
 *   <li>{@code --scenario=rebuild}: appends N events (default 1,000,000: {@code --conversations} direct conversations
 *   full of messages, or groups of {@code --members} members each when that is above 2, their members sending in
 *   turn) straight to the event store in batches, then resets the {@code conversation-projection} processor and
 *   measures events/s until it has caught up;</li>
 *   <li>{@code --scenario=long}: SendMessage command latency at message 100 and at message N (default 100,000) of one
 *   conversation, with the configured snapshots and cache ({@code --cache=off} replaces the cache with none);</li>
 *   <li>{@code --scenario=lag}: the commit → read-model lag of {@code conversation-projection}, timed with the query
 *   side's {@code ConsistencyBarrier} after each command, at rest and under an open-loop load at each rate of
 *   {@code --rates} (default: the load generator's fixed rates of the profile): see {@link LagBench};</li>
 *   <li>{@code --scenario=message-search}: the search index's rate (events/s) from empty over N messages (default 1,000,000)
 *   and the latency of searches on it (p50/p99): see {@link SearchBench}.</li>
 * </ul>
 * Writes {@code rebuild.part.json}, {@code long-cache-on|off.part.json}, {@code lag.part.json} or
 * {@code messageSearch.part.json} into {@code --out}.
 */
public final class InProcessBench {

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        boolean full = "full".equals(args.get("profile", "quick"));
        Path out = Path.of(args.required("out"));
        Path data = Path.of(args.required("data-dir")).toAbsolutePath();
        Files.createDirectories(out);
        String scenario = args.required("scenario");
        String cache = args.get("cache", "on");

        Map<String, Object> props = new HashMap<>();
        props.put("parley.data-dir", data.toString());
        props.put("parley.read-store", "embedded");
        props.put("spring.datasource.url", "jdbc:h2:file:" + data + "/parley;DB_CLOSE_ON_EXIT=FALSE;MAX_LENGTH_INPLACE_LOB=8192");
        props.put("spring.datasource.username", "sa");
        props.put("spring.datasource.password", "");
        props.put("spring.datasource.hikari.maximum-pool-size", "16");
        props.put("axon.axonserver.enabled", "false");
        props.put("spring.main.banner-mode", "off");
        props.put("server.port", "0");
        props.put("bench.cache", cache);
        props.put("logging.level.root", "warn");
        props.put("logging.level.org.axonframework.eventsourcing.eventstore.EmbeddedEventStore", "error");
        if ("lag".equals(scenario)) {
            // a lag beyond the query side's default wait (5 s) is measured, not turned into an error
            props.put("parley.query.consistency-wait", "60s");
        }
        args.all().forEach((k, v) -> {
            if (k.startsWith("parley.") || k.startsWith("axon.") || k.startsWith("spring.") || k.startsWith("logging.")) {
                props.put(k, v);
            }
        });
        System.out.printf("== booting the standalone set-up in-process (data in %s, cache %s)%n", data, cache);
        long boot = System.nanoTime();
        ConfigurableApplicationContext context = new SpringApplicationBuilder(BenchApplication.class)
                .web(WebApplicationType.REACTIVE).properties(props).run();
        System.out.printf("   booted in %.1f s%n", (System.nanoTime() - boot) / 1e9);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("startedAt", Instant.now().toString());
        result.put("settings", Map.of(
                "snapshotThreshold", context.getEnvironment().getProperty("parley.axon.snapshot-threshold", "250"),
                "processorBatchSize", context.getEnvironment().getProperty("parley.axon.processor-batch-size", "100"),
                "processorSegments", context.getEnvironment().getProperty("parley.axon.processor-segments", "1"),
                "cache", cache,
                "consistencyWait", context.getEnvironment().getProperty("parley.query.consistency-wait", "5s"),
                "maxHeapMB", Runtime.getRuntime().maxMemory() / 1048576,
                "cores", Runtime.getRuntime().availableProcessors()));
        String key;
        try {
            if ("rebuild".equals(scenario)) {
                result.putAll(rebuild(context, args.integer("events", full ? 1_000_000 : 30_000),
                        args.integer("conversations", 1000), args.integer("members", 2), args.integer("batch", 1000),
                        args.integer("append-max-seconds", full ? 150 : 45),
                        args.integer("rebuild-max-seconds", full ? 150 : 45)));
                key = "rebuild";
            } else if ("long".equals(scenario)) {
                // without the cache a command costs tens of milliseconds (measured 15-100 commands/s): keep that run short
                boolean off = "off".equals(cache);
                int defaultN = off ? (full ? 2_000 : 500) : (full ? 100_000 : 10_000);
                int defaultWarmup = off ? 300 : (full ? 5_000 : 1_000);
                result.putAll(longConversation(context, args.integer("messages", defaultN),
                        args.integer("warmup-messages", defaultWarmup)));
                key = "long-cache-" + cache;
            } else if ("lag".equals(scenario)) {
                // the fixed-rate runs' rates, so that the lag sits next to the latency at each; --rate=N: one rate
                List<Integer> rates = args.integers("rates", args.all().containsKey("rate")
                        ? List.of(args.integer("rate", 0)) : Bench.fixedRates(full));
                result.putAll(new LagBench(context).run(new LagBench.Settings(
                        args.integer("users", full ? 1000 : 100), args.integer("conversations", full ? 500 : 50),
                        args.integer("warmup-seconds", full ? 30 : 10),
                        args.integer("warmup-rate", rates.stream().mapToInt(Integer::intValue).min().orElse(1)),
                        args.integer("rest-sends", full ? 1000 : 300), args.integer("rest-gap-ms", 20),
                        rates, args.integer("load-seconds", full ? 60 : 20), args.integer("sample-every", 10),
                        args.integer("sender-threads", 64), args.integer("barrier-threads", 512))));
                key = "lag";
            } else if ("message-search".equals(scenario)) {
                result.putAll(SearchBench.run(context, data, args.integer("events", full ? 1_000_000 : 50_000),
                        args.integer("conversations", 1000), args.integer("batch", 1000),
                        args.integer("queries", full ? 5_000 : 1_000), args.integer("index-max-seconds", 900)));
                key = "messageSearch";
            } else {
                throw new IllegalArgumentException("--scenario is rebuild, long, lag or message-search");
            }
        } finally {
            result.put("finishedAt", Instant.now().toString());
        }
        String file = key + ".part.json";
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve(file).toFile(),
                Map.of(key, result));
        System.out.println("== written " + out.resolve(file));
        context.close();
        System.exit(0);
    }

    // ---------------------------------------------------------------------------------------------------------

    static Map<String, Object> rebuild(ConfigurableApplicationContext context, int events, int conversations,
                                       int membersEach, int batch, int appendMaxSeconds, int rebuildMaxSeconds)
            throws InterruptedException {
        EventStore eventStore = context.getBean(EventStore.class);
        EventProcessingConfiguration processing = context.getBean(EventProcessingConfiguration.class);
        String name = "conversation-projection";
        StreamingEventProcessor projection = processing.eventProcessor(name, StreamingEventProcessor.class)
                .orElseThrow(() -> new IllegalStateException("no streaming processor " + name));

        // Appending is not what is measured: stop everything that would follow the log meanwhile.
        List<String> stopped = stopLogFollowers(context);
        boolean groups = membersEach > 2;
        System.out.printf("== rebuild: appending %,d events (%d %s, batches of %d); stopped %s%n", events,
                conversations, groups ? "groups of " + membersEach + " members" : "direct conversations", batch,
                stopped);

        int perConversation = Math.max(1, (events - conversations) / conversations);
        String[] ids = new String[conversations];
        String[][] members = new String[conversations][];
        List<EventMessage<?>> pending = new ArrayList<>(batch);
        long appendStart = System.nanoTime();
        long appended = 0;
        long lastPrint = appendStart;
        for (int c = 0; c < conversations; c++) {
            Object opened;
            if (groups) {
                ids[c] = "rb-group-" + c;
                members[c] = new String[membersEach];
                List<Member> list = new ArrayList<>(membersEach);
                for (int m = 0; m < membersEach; m++) {
                    members[c][m] = "rb-user-" + (membersEach * c + m);
                    list.add(new Member(members[c][m], m == 0 ? MemberRole.OWNER : MemberRole.MEMBER));
                }
                opened = new GroupCreated(ids[c], "group " + c, members[c][0], list, Instant.now());
            } else {
                String a = "rb-user-" + (2 * c);
                String b = "rb-user-" + (2 * c + 1);
                ids[c] = ConversationIds.direct(a, b);
                members[c] = new String[]{a, b};
                List<String> pair = a.compareTo(b) < 0 ? List.of(a, b) : List.of(b, a);
                opened = new DirectConversationOpened(ids[c], pair, a, Instant.now());
            }
            pending.add(new GenericDomainEventMessage<>("Conversation", ids[c], 0, opened));
            if (pending.size() >= batch) {
                appended += flush(eventStore, pending);
            }
        }
        String text = "a benchmark message of a realistic length, some sixty characters";
        outer:
        for (int seq = 1; seq <= perConversation; seq++) {
            for (int c = 0; c < conversations; c++) {
                String sender = members[c][seq % members[c].length];
                pending.add(new GenericDomainEventMessage<>("Conversation", ids[c], seq,
                        new MessageSent(ids[c], UUID.randomUUID().toString(), seq, sender, "rb-" + seq, text, List.of(),
                                Instant.now(), List.of(), null)));
                if (pending.size() >= batch) {
                    appended += flush(eventStore, pending);
                    long now = System.nanoTime();
                    if (now - lastPrint > 1_000_000_000L) {
                        lastPrint = now;
                        System.out.printf("   appended %,d events (%.0f/s)%n", appended,
                                appended / ((now - appendStart) / 1e9));
                    }
                }
                if (appended + pending.size() >= events) {
                    break outer;
                }
                if (System.nanoTime() - appendStart > appendMaxSeconds * 1_000_000_000L) {
                    System.out.printf("   append stopped after %d s (--append-max-seconds)%n", appendMaxSeconds);
                    break outer;
                }
            }
        }
        appended += flush(eventStore, pending);
        double appendSeconds = (System.nanoTime() - appendStart) / 1e9;
        long head = position(eventStore.createHeadToken());
        System.out.printf("   appended %,d events in %.1f s (%.0f events/s); head global index %,d%n", appended,
                appendSeconds, appended / appendSeconds, head);

        // The rebuild: reset the projection's tokens (its @ResetHandler empties the read model), start, measure.
        projection.resetTokens();
        Cpu cpu = new Cpu(-1);
        Cpu.Sample c0 = cpu.sample();
        long start = System.nanoTime();
        projection.start();
        List<Map<String, Object>> progress = new ArrayList<>();
        long lastPosition = 0;
        long lastTime = start;
        long caughtUp = -1;
        long deadline = start + rebuildMaxSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            long now = System.nanoTime();
            long position = 0;
            boolean replaying = false;
            for (EventTrackerStatus status : projection.processingStatus().values()) {
                OptionalLong p = status.getCurrentPosition();
                position = Math.max(position, p.orElse(0));
                replaying |= status.isReplaying();
            }
            double rate = (position - lastPosition) / ((now - lastTime) / 1e9);
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("t", Math.round((now - start) / 1e8) / 10.0);
            point.put("position", position);
            point.put("eventsPerSecond", Math.round(rate));
            progress.add(point);
            System.out.printf("   [rebuild] t=%5.1fs position %,d of %,d (%.0f%%), %.0f events/s%s%n", (now - start) / 1e9,
                    position, head, 100.0 * position / Math.max(1, head), rate, replaying ? " (replaying)" : "");
            lastPosition = position;
            lastTime = now;
            // a replay stays flagged as replaying until an event past the reset point arrives: the position decides
            if (position >= head) {
                caughtUp = now;
                break;
            }
        }
        Cpu.Use use = cpu.between(c0, cpu.sample());
        double seconds = ((caughtUp > 0 ? caughtUp : System.nanoTime()) - start) / 1e9;
        long processed = caughtUp > 0 ? appended : lastPosition;
        JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
        Long messages = jdbc.queryForObject("SELECT COUNT(*) FROM rm_messages", Long.class);
        Long inboxRows = jdbc.queryForObject("SELECT COUNT(*) FROM rm_inbox", Long.class);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("eventsRequested", events);
        r.put("events", appended);
        r.put("eventsRebuilt", processed);
        r.put("conversations", conversations);
        r.put("membersEach", membersEach);
        r.put("appendSeconds", Math.round(appendSeconds * 10) / 10.0);
        r.put("appendEventsPerSecond", Math.round(appended / appendSeconds));
        r.put("rebuildSeconds", Math.round(seconds * 10) / 10.0);
        r.put("caughtUp", caughtUp > 0);
        r.put("rebuildEventsPerSecond", Math.round(processed / seconds));
        r.put("rebuildSecondsProjectedFor1M", Math.round(1_000_000 / Math.max(1, processed / seconds)));
        r.put("messagesInReadModel", messages);
        r.put("inboxRows", inboxRows);
        r.put("cpuPct", use.generatorPct());
        r.put("otherProcessorsStopped", stopped);
        r.put("progress", progress);
        System.out.printf("   rebuilt %,d events in %.1f s: %.0f events/s (process CPU %.0f%%)%s; rm_messages has %,d rows%n",
                processed, seconds, processed / seconds, use.generatorPct(),
                caughtUp > 0 ? "" : " - NOT caught up within --rebuild-max-seconds", messages);
        return r;
    }

    /**
     * Stops every event processor and the live fan-out, which would otherwise follow the log while a benchmark
     * appends to it; answers their names.
     */
    static List<String> stopLogFollowers(ConfigurableApplicationContext context) {
        List<String> stopped = new ArrayList<>();
        for (EventProcessor p : context.getBean(EventProcessingConfiguration.class).eventProcessors().values()) {
            p.shutDown();
            stopped.add(p.getName());
        }
        context.getBeansOfType(SmartLifecycle.class).forEach((bean, lifecycle) -> {
            if (lifecycle.getClass().getSimpleName().equals("EventFanout") && lifecycle.isRunning()) {
                lifecycle.stop();
                stopped.add(bean);
            }
        });
        return stopped;
    }

    /** Appends the pending events in one batch and empties the list; answers how many were appended. */
    static int flush(EventStore eventStore, List<EventMessage<?>> pending) {
        int n = pending.size();
        if (n > 0) {
            eventStore.publish(new ArrayList<>(pending));
            pending.clear();
        }
        return n;
    }

    private static long position(TrackingToken token) {
        return token == null ? 0 : token.position().orElse(0);
    }

    // ---------------------------------------------------------------------------------------------------------

    static Map<String, Object> longConversation(ConfigurableApplicationContext context, int messages,
                                                int warmupMessages) {
        CommandGateway commands = context.getBean(CommandGateway.class);
        // warm the JIT on another conversation, so message 100 of the measured one is not paying for it
        System.out.printf("== long conversation: warm-up with %,d messages in another conversation%n", warmupMessages);
        send(commands, "lc-warm-a", "lc-warm-b", warmupMessages, null);
        System.out.printf("== long conversation: %,d messages to one conversation, one command at a time%n", messages);
        Cpu cpu = new Cpu(-1);
        Cpu.Sample c0 = cpu.sample();
        long start = System.nanoTime();
        Windows windows = new Windows(messages);
        send(commands, "lc-a", "lc-b", messages, windows);
        double seconds = (System.nanoTime() - start) / 1e9;
        Cpu.Use use = cpu.between(c0, cpu.sample());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("messages", messages);
        r.put("warmupMessages", warmupMessages);
        r.put("seconds", Math.round(seconds * 10) / 10.0);
        r.put("commandsPerSecond", Math.round(messages / seconds));
        r.put("windowSize", Windows.WINDOW);
        r.put("atMessage100", Latency.summary(windows.early));
        r.put("atMessageN", Latency.summary(windows.late));
        r.put("all", Latency.summary(windows.all));
        r.put("blocks", windows.blocks);
        r.put("cpuPct", use.generatorPct());
        System.out.printf("   command latency around message 100: %s%n   around message %,d: %s%n",
                r.get("atMessage100"), messages, r.get("atMessageN"));
        return r;
    }

    /** Latency windows: messages 51..150 ("at 100"), the last 100 ("at N"), and one block per 1% of the run. */
    static final class Windows {
        static final int WINDOW = 100;
        final Histogram early = Latency.histogram();
        final Histogram late = Latency.histogram();
        final Histogram all = Latency.histogram();
        final List<Map<String, Object>> blocks = new ArrayList<>();
        private final int n;
        private final int blockSize;
        private Histogram block = Latency.histogram();

        Windows(int n) {
            this.n = n;
            this.blockSize = Math.max(100, n / 100);
        }

        void record(int message, long nanos) {
            long micros = Math.max(0, Math.min(Latency.MAX_MICROS, nanos / 1000));
            all.recordValue(micros);
            block.recordValue(micros);
            if (message > 50 && message <= 150) {
                early.recordValue(micros);
            }
            if (message > n - WINDOW) {
                late.recordValue(micros);
            }
            if (message % blockSize == 0 || message == n) {
                Map<String, Object> b = new LinkedHashMap<>(Latency.summary(block));
                b.put("upToMessage", message);
                blocks.add(b);
                block = Latency.histogram();
            }
        }
    }

    private static void send(CommandGateway commands, String a, String b, int messages, Windows windows) {
        String conversation = ConversationIds.direct(a, b);
        commands.sendAndWait(new OpenDirectConversation(conversation, a, b));
        long lastPrint = System.nanoTime();
        int lastCount = 0;
        for (int i = 1; i <= messages; i++) {
            String sender = i % 2 == 0 ? a : b;
            long t = System.nanoTime();
            commands.sendAndWait(new SendMessage(conversation, sender, "c-" + i, "message number " + i));
            long now = System.nanoTime();
            if (windows != null) {
                windows.record(i, now - t);
            }
            if (now - lastPrint > 1_000_000_000L) {
                System.out.printf("   %,d / %,d messages (%.0f commands/s)%n", i, messages,
                        (i - lastCount) / ((now - lastPrint) / 1e9));
                lastPrint = now;
                lastCount = i;
            }
        }
    }
}
