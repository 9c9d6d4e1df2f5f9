package io.parley.bench.load;

import io.parley.bench.Cpu;
import io.parley.bench.ServerProbe;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens many idle sockets (several per user), and at each step reads the server's heap after a full GC and its
 * resident set size. Sockets are spread over several loopback source addresses (127.0.0.2, .3, ...) so the client
 * does not run out of ephemeral ports (about 28,000 per source address).
 */
public final class Idle {

    private static final int PER_SOURCE_ADDRESS = 25_000;

    public static Map<String, Object> run(String wsUrl, List<Api.User> users, int target, int step, int parallel,
                                          long serverPid, Cpu cpu) {
        long serverLimit = ServerProbe.maxOpenFiles(Long.toString(serverPid));
        long ownLimit = ServerProbe.maxOpenFiles("self");
        long serverFds0 = ServerProbe.openFiles(serverPid);
        // every socket costs one descriptor on each side; keep a margin for what the server opens meanwhile (the
        // search index's segments and merges, the database, logs) and for jcmd's attach socket, which measures the
        // heap: with 200 the last step's connections failed and so did the measurement
        long cap = Math.min(serverLimit - serverFds0 - 1_000, ownLimit - 300);
        int goal = (int) Math.min(target, Math.max(0, cap));
        String capReason = goal < target
                ? "open-file limit (ulimit -n): server " + serverLimit + ", generator " + ownLimit
                + "; the hard limit cannot be raised in this environment"
                : null;
        if (capReason != null) {
            System.out.printf("  [idle] target %,d capped to %,d by the %s%n", target, goal, capReason);
        }
        List<Map<String, Object>> points = new ArrayList<>();
        List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        points.add(point(0, serverPid, 0));
        long started = System.nanoTime();
        Cpu.Sample c0 = cpu.sample();
        int opened = 0;
        while (opened < goal) {
            int from = opened;
            int to = Math.min(goal, opened + step);
            long t = System.nanoTime();
            Flux.range(from, to - from)
                    .flatMap(i -> {
                        Api.User user = users.get(i % users.size());
                        String source = "127.0.0." + (2 + i / PER_SOURCE_ADDRESS);
                        return Socket.open(wsUrl, user.userId(), user.token(), i, source, (s, text) -> {
                                })
                                .timeout(Duration.ofSeconds(60))
                                .doOnNext(sockets::add)
                                .onErrorResume(e -> {
                                    failures.incrementAndGet();
                                    firstFailure.compareAndSet(null, e.toString());
                                    return Mono.empty();
                                });
                    }, parallel)
                    .then().block();
            opened = to;
            double secs = (System.nanoTime() - t) / 1e9;
            OpenLoop.sleep(1000);
            Map<String, Object> p = point(Socket.OPEN.get(), serverPid, (to - from) / secs);
            points.add(p);
            System.out.printf("  [idle] %,d sockets open (%,d failed), %.0f opened/s, server heap after GC %s MB, RSS %s MB, "
                            + "server fds %s%n", Socket.OPEN.get(), failures.get(), (to - from) / secs,
                    p.get("heapUsedMB"), p.get("rssMB"), p.get("serverOpenFiles"));
        }
        Cpu.Use use = cpu.between(c0, cpu.sample());
        double openSeconds = (System.nanoTime() - started) / 1e9;
        OpenLoop.sleep(5000);
        int stillOpen = Socket.OPEN.get();
        int closedByServer = Socket.CLOSED_BY_SERVER.get();
        sockets.forEach(Socket::close);
        long closeWait = System.nanoTime() + 30_000_000_000L;
        while (Socket.OPEN.get() > 0 && System.nanoTime() < closeWait) {
            OpenLoop.sleep(200);
        }
        OpenLoop.sleep(2000);
        Map<String, Object> after = point(Socket.OPEN.get(), serverPid, 0);

        Map<String, Object> base = points.get(0);
        // the last step whose heap and RSS were measured (jcmd or /proc can fail at the descriptor limit)
        Map<String, Object> top = points.stream()
                .filter(point -> point.get("heapUsedMB") != null && point.get("rssMB") != null)
                .reduce((first, second) -> second).orElse(base);
        long n = ((Number) top.get("connections")).longValue();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("target", target);
        r.put("attempted", goal);
        r.put("capReason", capReason);
        r.put("users", users.size());
        r.put("opened", n);
        r.put("failed", failures.get());
        r.put("firstFailure", firstFailure.get());
        r.put("stillOpenAfter5s", stillOpen);
        r.put("closedByServer", closedByServer);
        r.put("openSeconds", OpenLoop.round(openSeconds));
        r.put("points", points);
        if (n > 0 && base.get("heapUsedMB") != null && base.get("rssMB") != null) {
            double heapPer10k = (((Number) top.get("heapUsedMB")).doubleValue()
                    - ((Number) base.get("heapUsedMB")).doubleValue()) * 10_000 / n;
            double rssPer10k = (((Number) top.get("rssMB")).doubleValue()
                    - ((Number) base.get("rssMB")).doubleValue()) * 10_000 / n;
            r.put("heapMBPer10k", OpenLoop.round(heapPer10k));
            r.put("rssMBPer10k", OpenLoop.round(rssPer10k));
            r.put("heapMBBaseline", base.get("heapUsedMB"));
            r.put("heapMBExtrapolated100k", OpenLoop.round(((Number) base.get("heapUsedMB")).doubleValue()
                    + heapPer10k * 10));
        }
        r.put("afterClose", after);
        r.put("cpuWhileOpening", Map.of("serverPct", use.serverPct(), "generatorPct", use.generatorPct(),
                "machinePct", use.machinePct()));
        return r;
    }

    private static Map<String, Object> point(int connections, long pid, double openRate) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("connections", connections);
        long heap = ServerProbe.heapUsedAfterGc(pid);
        p.put("heapUsedMB", heap < 0 ? null : OpenLoop.round(heap / 1048576.0));
        p.put("rssMB", OpenLoop.round(ServerProbe.rssBytes(pid) / 1048576.0));
        p.put("serverOpenFiles", ServerProbe.openFiles(pid));
        p.put("serverThreads", ServerProbe.threads(pid));
        p.put("openedPerSecond", OpenLoop.round(openRate));
        return p;
    }
}
