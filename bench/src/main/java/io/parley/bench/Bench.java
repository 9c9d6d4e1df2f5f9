package io.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.parley.bench.load.Api;
import io.parley.bench.load.Fanout;
import io.parley.bench.load.Idle;
import io.parley.bench.load.OpenLoop;
import io.parley.bench.load.Socket;
import reactor.core.publisher.Flux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load generator: drives a running Parley over its public protocol only (HTTP for set-up, {@code /ws} with a
 * Bearer token for messages) and writes {@code socket.part.json} into the output folder. Scenarios:
 * {@code fixed} (open-loop runs at fixed rates), {@code search} (highest rate with p99 &lt; 100 ms),
 * {@code fanout} (one message to a large group), {@code idle} (many idle sockets: server heap and RSS).
 * <p>
 * Usage: {@code Bench --url=http://127.0.0.1:8080 --server-pid=PID --out=DIR [--profile=quick|full]
 * [--scenarios=fixed,search,fanout,idle] [--rates=500,1000] [--duration=20] [--warmup=5] [--users=1000] ...}
 */
public final class Bench {

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        boolean full = "full".equals(args.get("profile", "quick"));
        String url = args.get("url", "http://127.0.0.1:8080");
        String wsUrl = url.replaceFirst("^http", "ws") + "/ws";
        long serverPid = args.number("server-pid", -1);
        Path out = Path.of(args.required("out"));
        Files.createDirectories(out);
        partName = args.get("part-name", "socket");
        List<String> scenarios = args.words("scenarios", List.of("fixed", "search", "fanout", "idle"));
        String run = args.get("run-id", Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36));
        Cpu cpu = new Cpu(serverPid);

        Map<String, Object> part = new LinkedHashMap<>();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("profile", full ? "full" : "quick");
        meta.put("url", url);
        meta.put("startedAt", Instant.now().toString());
        meta.put("generatorCores", Runtime.getRuntime().availableProcessors());
        meta.put("generatorMaxHeapMB", Runtime.getRuntime().maxMemory() / 1048576);
        meta.put("arguments", args.all());
        part.put("loadMeta", meta);

        try (Api api = new Api(url, 16)) {
            if (scenarios.contains("fixed") || scenarios.contains("search")) {
                int users = args.integer("users", full ? 1000 : 100);
                int textSize = args.integer("text-size", 100);
                System.out.printf("== set-up: %d users in %d direct conversations%n", users, users / 2);
                long t = System.nanoTime();
                List<Api.User> people = api.users("b" + run + "u", users, 8);
                List<String> conversations = api.parallel(users / 2, 8,
                        i -> api.openDirect(people.get(2 * i), people.get(2 * i + 1)));
                System.out.printf("   registered and paired in %.1f s%n", (System.nanoTime() - t) / 1e9);
                List<OpenLoop.Sender> senders = new ArrayList<>();
                OpenLoop[] loop = new OpenLoop[1];
                List<Socket> sockets = Flux.range(0, users - users % 2)
                        .flatMapSequential(i -> Socket.open(wsUrl, people.get(i).userId(), people.get(i).token(), i,
                                null, (s, text) -> {
                                    if (loop[0] != null) {
                                        loop[0].onFrame(s, text);
                                    }
                                }), 64)
                        .collectList().block(Duration.ofMinutes(5));
                for (int i = 0; i < sockets.size(); i++) {
                    senders.add(new OpenLoop.Sender(sockets.get(i), conversations.get(i / 2)));
                }
                Thread.sleep(1000);
                if (Socket.OPEN.get() < sockets.size()) {
                    throw new IllegalStateException("only " + Socket.OPEN.get() + " of " + sockets.size()
                            + " sockets stayed open after connecting");
                }

                int jitSeconds = args.integer("jit-warmup", full ? 180 : 45);
                if (jitSeconds > 0) {
                    // A fresh JVM interprets Spring, Axon, H2 and Netty code until the JIT has compiled it: for the
                    // first ~40 s the compiler threads take up to a core (measured: 170% server CPU at 200 msg/s
                    // cold, 65% warm), and at 300 msg/s they still compile ~2,000 methods a minute after 90 s; after
                    // ~150 s they settle (jstat -compiler: 100 s of compile time by then, under 0.1 s per 10 s
                    // after). Production servers run warm, so every measured run starts after this; the quick
                    // profile's 45 s leaves its figures on the cold side.
                    int jitRate = args.integer("jit-warmup-rate", 300);
                    System.out.printf("== JIT warm-up: %d msg/s for %d s (not measured)%n", jitRate, jitSeconds);
                    loop[0] = new OpenLoop(senders, cpu, "jit-warm-up");
                    loop[0].run(new OpenLoop.Settings(jitRate, 0, jitSeconds, 10, textSize, 60));
                    meta.put("jitWarmup", Map.of("seconds", jitSeconds, "rate", jitRate));
                    waitQuiet(cpu, 90);
                }
                if (scenarios.contains("fixed")) {
                    loop[0] = new OpenLoop(senders, cpu, "fixed");
                    List<Map<String, Object>> runs = new ArrayList<>();
                    for (int rate : args.integers("rates", fixedRates(full))) {
                        System.out.printf("== fixed rate %d msg/s over %d senders%n", rate, senders.size());
                        runs.add(loop[0].run(new OpenLoop.Settings(rate, args.integer("warmup", full ? 5 : 2),
                                args.integer("duration", full ? 20 : 8), args.integer("drain", 15), textSize,
                                args.integer("max-backlog-seconds", 3))));
                        waitQuiet(cpu, 90);
                        part.put("fixedRate", runs);
                        write(out, part);
                    }
                }
                if (scenarios.contains("search")) {
                    loop[0] = new OpenLoop(senders, cpu, "search");
                    part.put("search", search(args, full, loop[0], cpu, textSize));
                    write(out, part);
                }
                sockets.forEach(Socket::close);
                Thread.sleep(2000);
            }
            if (scenarios.contains("fanout")) {
                int members = args.integer("group-size", full ? 1000 : 200);
                System.out.printf("== fan-out: set-up of a group of %d (the owner and %d members)%n", members, members - 1);
                List<Api.User> people = api.users("b" + run + "g", members, 8);
                String group = api.createGroup(people.get(0), "bench group", people.subList(1, members).stream()
                        .map(Api.User::userId).toList());
                Fanout fanout = new Fanout(members, people.get(0).userId());
                List<Socket> sockets = Flux.range(0, members)
                        .flatMapSequential(i -> Socket.open(wsUrl, people.get(i).userId(), people.get(i).token(), i,
                                null, fanout::onFrame), 64)
                        .collectList().block(Duration.ofMinutes(5));
                Thread.sleep(2000);
                Map<String, Object> result = fanout.run(sockets, group, 3, args.integer("fanout-trials", full ? 20 : 5),
                        cpu, 900_000_000_000L + System.nanoTime() % 1_000_000);
                part.put("fanout", result);
                write(out, part);
                sockets.forEach(Socket::close);
                Thread.sleep(2000);
            }
            if (scenarios.contains("idle")) {
                int target = args.integer("idle-target", full ? 100_000 : 2_000);
                int idleUsers = args.integer("idle-users", full ? 200 : 50);
                System.out.printf("== idle connections: target %,d over %d users%n", target, idleUsers);
                List<Api.User> people = api.users("b" + run + "i", idleUsers, 8);
                part.put("idle", Idle.run(wsUrl, people, target, args.integer("idle-step", full ? 10_000 : 500),
                        args.integer("idle-parallel", 128), serverPid, cpu));
                write(out, part);
            }
        }
        meta.put("finishedAt", Instant.now().toString());
        write(out, part);
        System.out.println("== load generator done: " + out.resolve(partName + ".part.json"));
        System.exit(0);
    }

    /** The rates of the fixed-rate runs when {@code --rates} does not say; the lag scenario runs at the same. */
    public static List<Integer> fixedRates(boolean full) {
        return full ? List.of(500, 1000, 2000, 5000) : List.of(200, 500);
    }

    /** Steps the rate up until p99 (ack or send→message) reaches 100 ms or the server stops keeping up. */
    private static Map<String, Object> search(Args args, boolean full, OpenLoop loop, Cpu cpu, int textSize) {
        double limitMs = args.integer("search-p99-ms", 100);
        int rate = args.integer("search-start", full ? 1000 : 250);
        double factor = Double.parseDouble(args.get("search-factor", "1.4"));
        int steps = args.integer("search-steps", full ? 8 : 4);
        int seconds = args.integer("search-duration", full ? 10 : 5);
        List<Map<String, Object>> tried = new ArrayList<>();
        Integer best = null;
        Integer failedAt = null;
        for (int i = 0; i < steps; i++) {
            System.out.printf("== search step %d: %d msg/s%n", i + 1, rate);
            Map<String, Object> r = loop.run(new OpenLoop.Settings(rate, 2, seconds, 5, textSize, 3));
            boolean pass = passes(r, limitMs);
            r.put("pass", pass);
            tried.add(r);
            waitQuiet(cpu, 60);
            if (pass) {
                best = rate;
                if (failedAt != null) {
                    break; // stepping down: the first pass below a failure
                }
                rate = (int) Math.round(rate * factor / 50.0) * 50;
            } else {
                failedAt = rate;
                if (best != null || rate <= 50) {
                    break;
                }
                rate = Math.max(50, (int) Math.round(rate / factor / 50.0) * 50); // the start was too high: step down
            }
        }
        if (best != null && failedAt != null && failedAt - best > 100) {
            int mid = (int) Math.round((best + failedAt) / 2 / 50.0) * 50;
            System.out.printf("== search refine: %d msg/s%n", mid);
            Map<String, Object> r = loop.run(new OpenLoop.Settings(mid, 2, seconds, 5, textSize, 3));
            boolean pass = passes(r, limitMs);
            r.put("pass", pass);
            tried.add(r);
            if (pass) {
                best = mid;
            } else {
                failedAt = mid;
            }
            waitQuiet(cpu, 60);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("p99LimitMs", limitMs);
        s.put("criterion", "ack p99 and send->message p99 (corrected) below the limit, >= 99% of offered delivered, no errors");
        s.put("highestPassingRate", best);
        s.put("firstFailingRate", failedAt);
        s.put("steps", tried);
        return s;
    }

    @SuppressWarnings("unchecked")
    private static boolean passes(Map<String, Object> r, double limitMs) {
        Map<String, Object> ack = (Map<String, Object>) r.get("ackLatency");
        Map<String, Object> e2e = (Map<String, Object>) r.get("e2eLatency");
        if (Boolean.TRUE.equals(r.get("overloaded")) || !ack.containsKey("p99Ms") || !e2e.containsKey("p99Ms")) {
            return false;
        }
        long sent = ((Number) r.get("sent")).longValue();
        long delivered = ((Number) r.get("delivered")).longValue();
        boolean noErrors = ((Map<?, ?>) r.get("errors")).isEmpty();
        return ((Number) ack.get("p99Ms")).doubleValue() < limitMs && ((Number) e2e.get("p99Ms")).doubleValue() < limitMs
                && delivered >= 0.99 * sent && noErrors;
    }

    /** Lets the server finish its backlog (projections) before the next run: waits until its CPU is low. */
    private static void waitQuiet(Cpu cpu, int maxSeconds) {
        long until = System.nanoTime() + maxSeconds * 1_000_000_000L;
        Cpu.Sample last = cpu.sample();
        while (System.nanoTime() < until) {
            OpenLoopSleep.sleep(1000);
            Cpu.Sample now = cpu.sample();
            double server = cpu.between(last, now).serverPct();
            last = now;
            if (Double.isNaN(server) || server < 15) {
                return;
            }
            System.out.printf("   (server still busy: %.0f%% CPU; waiting)%n", server);
        }
    }

    private static final class OpenLoopSleep {
        static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String partName = "socket";

    static void write(Path out, Map<String, Object> part) {
        try {
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Path tmp = out.resolve(partName + ".part.json.tmp");
            json.writeValue(tmp.toFile(), part);
            Files.move(tmp, out.resolve(partName + ".part.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            throw new IllegalStateException("could not write the report part", e);
        }
    }
}
