package io.parley.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.parley.bench.report.Json.at;
import static io.parley.bench.report.Json.d;
import static io.parley.bench.report.Json.list;
import static io.parley.bench.report.Json.map;
import static io.parley.bench.report.Json.num;

/** Renders report.md (and the plots it shows) from the merged report. */
public final class Report {

    private Report() {
    }

    public static Path render(Map<String, Object> report, Path dir) throws IOException {
        StringBuilder md = new StringBuilder();
        Map<String, Object> env = map(report.get("environment"));
        Map<String, Object> loadMeta = map(report.get("loadMeta"));
        md.append("# Parley benchmark report\n\n");
        md.append("How to read this: [docs/benchmark.md](../../../docs/benchmark.md). Latencies are in milliseconds; CPU ")
                .append("is a share of one core (200% = both cores of a 2-core machine). \"machine\" CPU is everything ")
                .append("running, including other processes: above server + generator, something else competed.\n\n");
        md.append("## Conditions\n\n| | |\n| --- | --- |\n");
        env.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        if (!loadMeta.isEmpty()) {
            md.append("| load generator | ").append(loadMeta.get("startedAt")).append(" → ")
                    .append(loadMeta.get("finishedAt")).append(", arguments ").append(loadMeta.get("arguments"))
                    .append(" |\n");
        }
        Object bound = env.get("server_main");
        if (bound != null) {
            md.append("\n**The server of this run is not Parley**: it is `").append(bound)
                    .append("` with `server_args` above, a bound that does only part of what Parley does ")
                    .append("(docs/benchmark.md, \"eighteenth stop\"). Its figures bound what a pipeline could carry ")
                    .append("on this machine; they meet or miss none of Parley's targets, so the targets table is left ")
                    .append("out.\n\n");
            fixed(md, report, dir);
            return write(md, dir);
        }
        md.append("\nThe server is the standalone jar in its own JVM. Its JVM options are `server_jvm` above (by ")
                .append("default a 2 GiB heap and README's `standalone/jvm.options`); its arguments are the jar's ")
                .append("defaults with an H2 file database on a fresh temporary directory, ")
                .append("`--parley.auth.bcrypt-strength=4` (registering thousands of users for the set-up is quick; ")
                .append("password hashing is not on any measured path), `--parley.limits.connections-per-user=100000` ")
                .append("(the idle scenario holds many sockets per user) and `server_args` above when the report ")
                .append("lists it, the settings a comparison changed (`none`: nothing; another database URL there ")
                .append("replaces the file). The load generator is another JVM on the same machine, talking HTTP and ")
                .append("`/ws` only.\n\n");

        targets(md, report);
        fixed(md, report, dir);
        search(md, report, dir);
        fanout(md, report, dir);
        idle(md, report, dir);
        rebuild(md, report, dir);
        longConversation(md, report, dir);
        lag(md, report);
        return write(md, dir);
    }

    private static Path write(StringBuilder md, Path dir) throws IOException {
        Path file = dir.resolve("report.md");
        Files.writeString(file, md.toString());
        return file;
    }

    /** The share of the offered rate that must be acknowledged and delivered for a rate to count as kept up. */
    static final double KEPT_UP_SHARE = 0.95;

    /**
     * The targets of issue 17 and the earlier ones still standing (issues 5 and 3). A target is "yes" or "no" only
     * when a run measured what it names (the rate, the group size, the number of events, ...); otherwise it is "not
     * measured", with what was measured instead, since a smaller run can neither meet nor miss it.
     */
    private static void targets(StringBuilder md, Map<String, Object> report) {
        md.append("## Targets (issue 17; idle sockets and group fan-out from issue 5, long conversations from issue 3)\n\n")
                .append("\"yes\" or \"**no**\" only where a run measured what the target names (its rate, its number of ")
                .append("users, members or events); otherwise \"not measured\", with what was measured instead. A rate ")
                .append("is *kept up* when at least ").append(Math.round(KEPT_UP_SHARE * 100)).append(" % of it was ")
                .append("acknowledged and delivered during the measured seconds and the schedule never overloaded; ")
                .append("*sustained* (issue 17) when, besides, send→message p99 stayed under 100 ms.\n\n")
                .append("| target | measured | met? |\n| --- | --- | --- |\n");
        List<Map<String, Object>> runs = new ArrayList<>(list(report.get("fixedRate")));
        runs.addAll(list(map(report.get("search")).get("steps")));
        if (!runs.isEmpty()) {
            throughputTarget(md, runs);
            p99At1000Target(md, runs);
            p99AtHighestTarget(md, runs);
            floorTarget(md, runs);
        }
        Map<String, Object> rebuild = map(report.get("rebuild"));
        if (!rebuild.isEmpty()) {
            double rate = d(rebuild.get("rebuildEventsPerSecond"));
            String measured = num(rate) + " events/s over a store of " + num(rebuild.get("events")) + " events"
                    + (Boolean.TRUE.equals(rebuild.get("caughtUp")) ? ""
                    : " (" + num(rebuild.get("eventsRebuilt")) + " rebuilt within the time cap)");
            row(md, "projection rebuild >= 50,000 events/s over 1,000,000 events", measured,
                    d(rebuild.get("events")) >= 1_000_000 ? yes(rate >= 50_000)
                            : notMeasured(num(rebuild.get("events")) + " events, not 1,000,000"));
        }
        Map<String, Object> idle = map(report.get("idle"));
        if (!idle.isEmpty()) {
            double extrapolated = d(idle.get("heapMBExtrapolated100k"));
            double opened = d(idle.get("opened"));
            String measured = num(idle.get("opened")) + " opened"
                    + (idle.get("capReason") != null ? " (capped: " + idle.get("capReason") + ")" : "") + "; "
                    + num(idle.get("heapMBPer10k")) + " MB heap per 10,000 → " + num(extrapolated)
                    + " MB extrapolated to 100,000";
            Double heapAt100k = null;
            for (Map<String, Object> point : Json.<Map<String, Object>>list(idle.get("points"))) {
                if (d(point.get("connections")) >= 100_000) {
                    heapAt100k = d(point.get("heapUsedMB"));
                    measured = num(point.get("connections")) + " open: " + num(heapAt100k) + " MB heap after a full GC";
                    break;
                }
            }
            row(md, "100,000 idle WebSocket connections in < 2 GiB heap", measured, opened >= 100_000 && heapAt100k != null
                    ? yes(heapAt100k < 2048)
                    : notMeasured(num(idle.get("opened")) + " connections; extrapolated " + num(extrapolated) + " MB"));
        }
        Map<String, Object> fanout = map(report.get("fanout"));
        if (!fanout.isEmpty()) {
            double members = d(fanout.get("members"));
            boolean allReached = Json.list(fanout.get("membersReached")).stream().allMatch(n -> d(n) >= members - 1);
            row(md, "a 1,000-member group message reaches the last member in < 100 ms",
                    num(fanout.get("members")) + " members: last member p50 " + at(fanout, "lastMember", "p50Ms")
                            + " ms, max " + at(fanout, "lastMember", "maxMs") + " ms"
                            + (allReached ? "" : "; not every member reached in every trial"),
                    members == 1000 ? yes(d(map(fanout.get("lastMember")).get("p50Ms")) < 100 && allReached)
                            : notMeasured("a " + num(fanout.get("members")) + "-member group"));
        }
        Map<String, Object> lc = map(report.get("long-cache-on"));
        if (!lc.isEmpty()) {
            row(md, "command latency at message 100,000 of a conversation as at message 100 (p50 below twice it + 0.5 ms)",
                    "p50 at message 100: " + at(lc, "atMessage100", "p50Ms") + " ms, at message " + num(lc.get("messages"))
                            + ": " + at(lc, "atMessageN", "p50Ms") + " ms",
                    d(lc.get("messages")) >= 100_000
                            ? yes(d(map(lc.get("atMessageN")).get("p50Ms"))
                            < 2 * d(map(lc.get("atMessage100")).get("p50Ms")) + 0.5)
                            : notMeasured(num(lc.get("messages")) + " messages"));
        }
        md.append('\n');
    }

    private static void throughputTarget(StringBuilder md, List<Map<String, Object>> runs) {
        String target = ">= 10,000 msg/s persisted and delivered, 1:1 conversations over 1,000 users";
        List<Map<String, Object>> atTarget = runs.stream()
                .filter(r -> d(r.get("offeredRate")) >= 10_000 && d(r.get("senders")) >= 1000).toList();
        if (!atTarget.isEmpty()) {
            Map<String, Object> best = atTarget.stream().filter(Report::keptUp).findFirst()
                    .orElse(atTarget.stream().max(Comparator.comparingDouble(r -> d(r.get("deliveredPerSecond"))))
                            .orElseThrow());
            row(md, target, describe(best), yes(keptUp(best)));
            return;
        }
        Map<String, Object> top = runs.stream().max(Comparator.comparingDouble(r -> d(r.get("offeredRate"))))
                .orElseThrow();
        double bestDelivered = runs.stream().mapToDouble(r -> d(r.get("deliveredPerSecond"))).filter(v -> !Double.isNaN(v))
                .max().orElse(Double.NaN);
        row(md, target, "highest rate offered: " + describe(top) + "; highest delivered/s in any run: " + num(bestDelivered),
                notMeasured("no run offered 10,000 msg/s over 1,000 users; highest " + num(top.get("offeredRate"))
                        + " msg/s over " + num(top.get("senders")) + " users"));
    }

    private static void p99At1000Target(StringBuilder md, List<Map<String, Object>> runs) {
        String target = "p99 send→message < 20 ms at 1,000 msg/s";
        Map<String, Object> run = runs.stream().filter(r -> d(r.get("offeredRate")) == 1000)
                .min(Comparator.<Map<String, Object>>comparingInt(r -> "fixed".equals(r.get("label")) ? 0 : 1)
                        .thenComparingInt(r -> Plots.otherPart(r).isPresent() ? 1 : 0)).orElse(null);
        if (run != null) {
            row(md, target, "p99 " + at(run, "e2eLatency", "p99Ms") + " ms (p50 " + at(run, "e2eLatency", "p50Ms")
                    + ") at 1,000 msg/s offered over " + num(run.get("senders")) + " users"
                    + Plots.otherPart(run).map(part -> " (part " + part + ")").orElse("")
                    + (keptUp(run) ? "" : ", not kept up"), yes(d(map(run.get("e2eLatency")).get("p99Ms")) < 20));
            return;
        }
        StringBuilder instead = new StringBuilder();
        runs.stream().sorted(Comparator.comparingDouble(r -> d(r.get("offeredRate")))).forEach(r ->
                instead.append(instead.isEmpty() ? "" : "; ").append("p99 ").append(at(r, "e2eLatency", "p99Ms"))
                        .append(" ms at ").append(num(r.get("offeredRate"))).append(" msg/s"));
        row(md, target, instead.toString(), notMeasured("no run at 1,000 msg/s"));
    }

    private static void p99AtHighestTarget(StringBuilder md, List<Map<String, Object>> runs) {
        String target = "p99 send→message < 100 ms at the highest sustained rate";
        double highest = runs.stream().filter(Report::keptUp).mapToDouble(r -> d(r.get("offeredRate"))).max()
                .orElse(Double.NaN);
        if (Double.isNaN(highest)) {
            double lowest = runs.stream().mapToDouble(r -> d(r.get("offeredRate"))).min().orElse(Double.NaN);
            row(md, target, "no run kept up; the lowest rate tried was " + num(lowest) + " msg/s",
                    notMeasured("the highest sustained rate lies below every rate tried"));
            return;
        }
        // the worst p99 among the runs kept up at that rate (a fixed run and a search step may both have tried it)
        Map<String, Object> at = runs.stream().filter(r -> keptUp(r) && d(r.get("offeredRate")) == highest)
                .max(Comparator.comparingDouble(r -> d(map(r.get("e2eLatency")).get("p99Ms")))).orElseThrow();
        double above = runs.stream().filter(r -> !keptUp(r) && d(r.get("offeredRate")) > highest)
                .mapToDouble(r -> d(r.get("offeredRate"))).min().orElse(Double.NaN);
        String measured = "highest rate kept up: " + num(highest) + " msg/s, p99 " + at(at, "e2eLatency", "p99Ms") + " ms";
        if (Double.isNaN(above)) {
            row(md, target, measured + "; every rate tried was kept up", notMeasured("the ceiling was not reached: no "
                    + "rate above " + num(highest) + " msg/s was tried"));
        } else {
            row(md, target, measured + "; " + num(above) + " msg/s was not kept up",
                    yes(d(map(at.get("e2eLatency")).get("p99Ms")) < 100));
        }
    }

    private static void floorTarget(StringBuilder md, List<Map<String, Object>> runs) {
        String target = "floor (issue 17): not below 5,000 msg/s sustained (at least 95 % of the offered rate acknowledged "
                + "and delivered, p99 under 100 ms)";
        List<Map<String, Object>> atFloor = runs.stream().filter(r -> d(r.get("offeredRate")) >= 5_000).toList();
        if (atFloor.isEmpty()) {
            double highestSustained = runs.stream().filter(Report::sustained).mapToDouble(r -> d(r.get("offeredRate")))
                    .max().orElse(Double.NaN);
            double top = runs.stream().mapToDouble(r -> d(r.get("offeredRate"))).max().orElse(Double.NaN);
            row(md, target, Double.isNaN(highestSustained) ? "no run sustained its rate"
                            : "highest rate sustained: " + num(highestSustained) + " msg/s",
                    notMeasured("no run offered 5,000 msg/s; highest " + num(top) + " msg/s"));
            return;
        }
        Map<String, Object> best = atFloor.stream().filter(Report::sustained).findFirst()
                .orElse(atFloor.stream().max(Comparator.comparingDouble(r -> d(r.get("deliveredPerSecond"))))
                        .orElseThrow());
        row(md, target, describe(best), yes(sustained(best)));
    }

    /** At least 95 % of the offered rate acknowledged and delivered, and the schedule never overloaded. */
    static boolean keptUp(Map<String, Object> run) {
        double offered = d(run.get("offeredRate"));
        return !Boolean.TRUE.equals(run.get("overloaded")) && d(run.get("ackedPerSecond")) >= KEPT_UP_SHARE * offered
                && d(run.get("deliveredPerSecond")) >= KEPT_UP_SHARE * offered;
    }

    /** Kept up, and send→message p99 (corrected for coordinated omission) under 100 ms: issue 17's "sustained". */
    static boolean sustained(Map<String, Object> run) {
        return keptUp(run) && d(map(run.get("e2eLatency")).get("p99Ms")) < 100;
    }

    private static String describe(Map<String, Object> run) {
        return num(run.get("offeredRate")) + " msg/s over " + num(run.get("senders")) + " users: acked "
                + num(run.get("ackedPerSecond")) + "/s, delivered " + num(run.get("deliveredPerSecond")) + "/s, p99 "
                + at(run, "e2eLatency", "p99Ms") + " ms" + (Boolean.TRUE.equals(run.get("overloaded")) ? ", overloaded" : "")
                + Plots.otherPart(run).map(part -> " (part " + part + ")").orElse("");
    }

    private static void row(StringBuilder md, String target, String measured, String met) {
        md.append("| ").append(target).append(" | ").append(measured).append(" | ").append(met).append(" |\n");
    }

    private static String notMeasured(String instead) {
        return "not measured (" + instead + ")";
    }

    private static String yes(boolean met) {
        return met ? "yes" : "**no**";
    }

    private static void fixed(StringBuilder md, Map<String, Object> report, Path dir) {
        List<Map<String, Object>> runs = list(report.get("fixedRate"));
        if (runs.isEmpty()) {
            return;
        }
        md.append("## Fixed-rate runs (open loop, 1:1 conversations)\n\n");
        Map<String, Object> first = runs.get(0);
        md.append("Each run sends at a fixed rate for ").append(num(first.get("warmupSeconds")))
                .append(" s of warm-up (not in the figures) plus the measured seconds, round-robin over ")
                .append(num(first.get("senders"))).append(" users (each user sends to its partner in a direct ")
                .append("conversation), ").append(num(first.get("textSize"))).append("-character texts. The schedule ")
                .append("never waits for acks. Latency is measured from the *intended* send time (corrected for ")
                .append("coordinated omission); the uncorrected p99 (from the actual send) is shown for comparison.\n\n");
        runTable(md, runs);
        List<String> images = new ArrayList<>();
        for (Map<String, Object> run : runs) {
            String png = Plots.latencyOverTime(run, dir, "latency-over-time-" + num(run.get("offeredRate")).replace(",", "")
                    + Plots.otherPart(run).map(part -> "-" + part).orElse("") + ".png");
            if (png != null) {
                images.add(png);
            }
        }
        String dist = Plots.distribution(runs, dir, "latency-distribution.png",
                "Send→message latency distribution per offered rate (solid: corrected; dashed, crosses: uncorrected)");
        List<Map<String, Object>> all = new ArrayList<>(runs);
        all.addAll(list(map(report.get("search")).get("steps")));
        String tp = Plots.throughput(all, dir, "throughput-vs-offered.png");
        for (String png : new String[]{tp, dist}) {
            if (png != null) {
                md.append("![").append(png).append("](").append(png).append(")\n\n");
            }
        }
        for (String png : images) {
            md.append("![").append(png).append("](").append(png).append(")\n\n");
        }
    }

    private static void runTable(StringBuilder md, List<Map<String, Object>> runs) {
        md.append("| offered/s | sent/s | acked/s | delivered/s | ack p50 | ack p99 | e2e p50 | e2e p90 | e2e p99 | e2e p99.9 | ")
                .append("e2e max | e2e p99 uncorr. | server CPU | generator CPU | machine CPU | server writes per message | ")
                .append("not acked / not delivered | ")
                .append("errors | notes |\n");
        md.append("|").append(" ---: |".repeat(18)).append(" --- |\n");
        for (Map<String, Object> r : runs) {
            List<String> notes = new ArrayList<>();
            Plots.otherPart(r).ifPresent(part -> notes.add("part " + part));
            if (Boolean.TRUE.equals(r.get("overloaded"))) {
                notes.add("overloaded: schedule stopped at the backlog limit");
            }
            if (Boolean.TRUE.equals(r.get("figuresIncludeWarmup"))) {
                notes.add("stopped during warm-up: figures cover all messages sent");
            }
            if (r.containsKey("pass")) {
                notes.add(Boolean.TRUE.equals(r.get("pass")) ? "pass" : "fail");
            }
            for (String k : new String[]{"duplicateDeliveries", "seqGaps", "seqOutOfOrder", "socketsClosedByServer"}) {
                if (d(r.get(k)) > 0) {
                    notes.add(k + " " + num(r.get(k)));
                }
            }
            md.append("| ").append(num(r.get("offeredRate"))).append(" | ").append(num(r.get("sentPerSecondMeasured")))
                    .append(" | ").append(num(r.get("ackedPerSecond"))).append(" | ").append(num(r.get("deliveredPerSecond")))
                    .append(" | ").append(at(r, "ackLatency", "p50Ms")).append(" | ").append(at(r, "ackLatency", "p99Ms"))
                    .append(" | ").append(at(r, "e2eLatency", "p50Ms")).append(" | ").append(at(r, "e2eLatency", "p90Ms"))
                    .append(" | ").append(at(r, "e2eLatency", "p99Ms")).append(" | ").append(at(r, "e2eLatency", "p999Ms"))
                    .append(" | ").append(at(r, "e2eLatency", "maxMs")).append(" | ")
                    .append(at(r, "e2eLatencyUncorrected", "p99Ms")).append(" | ")
                    .append(at(r, "cpu", "serverPct")).append("% | ").append(at(r, "cpu", "generatorPct")).append("% | ")
                    .append(at(r, "cpu", "machinePct")).append("% | ").append(bytes(r.get("serverWrittenBytesPerMessage")))
                    .append(" | ").append(num(r.get("notAcked"))).append(" / ")
                    .append(num(r.get("notDelivered"))).append(" | ").append(map(r.get("errors")).isEmpty() ? "0"
                            : map(r.get("errors")).toString()).append(" | ").append(String.join("; ", notes)).append(" |\n");
        }
        md.append('\n');
    }

    /** A byte count per message as "18.3 KB", or "–" where the run could not read the server's writes. */
    private static String bytes(Object perMessage) {
        return perMessage instanceof Number n ? String.format(Locale.ROOT, "%.1f KB", n.doubleValue() / 1000)
                : "–";
    }

    private static void search(StringBuilder md, Map<String, Object> report, Path dir) {
        Map<String, Object> search = map(report.get("search"));
        if (search.isEmpty()) {
            return;
        }
        md.append("## Search: highest rate with p99 < ").append(num(search.get("p99LimitMs"))).append(" ms\n\n");
        md.append("Criterion: ").append(search.get("criterion")).append(". **Highest passing rate: ")
                .append(num(search.get("highestPassingRate"))).append(" msg/s**; first failing rate: ")
                .append(num(search.get("firstFailingRate"))).append(" msg/s.\n\n");
        runTable(md, list(search.get("steps")));
    }

    private static void fanout(StringBuilder md, Map<String, Object> report, Path dir) {
        Map<String, Object> f = map(report.get("fanout"));
        if (f.isEmpty()) {
            return;
        }
        md.append("## Group fan-out\n\nOne group of ").append(num(f.get("members")))
                .append(" members (the owner and the others), every member connected. The owner sends one message, ")
                .append("waits until every other member's socket has its `message` frame, then the next (")
                .append(num(f.get("warmupTrials"))).append(" warm-up trials not counted, then ").append(num(f.get("trials")))
                .append(").\n\n| | p50 | p90 | p99 | max |\n| --- | ---: | ---: | ---: | ---: |\n");
        for (String[] row : new String[][]{{"send → LAST member has it (per trial)", "lastMember"},
                {"send → a member has it (all members, all trials)", "perMember"}}) {
            md.append("| ").append(row[0]).append(" | ").append(at(f, row[1], "p50Ms")).append(" | ")
                    .append(at(f, row[1], "p90Ms")).append(" | ").append(at(f, row[1], "p99Ms")).append(" | ")
                    .append(at(f, row[1], "maxMs")).append(" |\n");
        }
        md.append("\nLast member per trial (ms): ").append(f.get("lastMemberMs")).append("; members reached: ")
                .append(f.get("membersReached")).append("; ack (ms): ").append(f.get("ackMs"))
                .append(". CPU during the trials: server ").append(at(f, "cpu", "serverPct")).append("%, generator ")
                .append(at(f, "cpu", "generatorPct")).append("%.\n\n");
        String png = Plots.fanout(f, dir, "fanout.png");
        if (png != null) {
            md.append("![").append(png).append("](").append(png).append(")\n\n");
        }
    }

    private static void idle(StringBuilder md, Map<String, Object> report, Path dir) {
        Map<String, Object> idle = map(report.get("idle"));
        if (idle.isEmpty()) {
            return;
        }
        md.append("## Idle connections\n\nTarget ").append(num(idle.get("target"))).append(" sockets over ")
                .append(num(idle.get("users"))).append(" users (several sockets per user), from loopback source ")
                .append("addresses 127.0.0.2, .3, ...; opened ").append(num(idle.get("opened"))).append(", failed ")
                .append(num(idle.get("failed")));
        if (idle.get("capReason") != null) {
            md.append(". **Capped** by the ").append(idle.get("capReason"));
        }
        if (idle.get("firstFailure") != null) {
            md.append(". First failure: `").append(idle.get("firstFailure")).append('`');
        }
        md.append(". Heap is the server's heap used right after `jcmd PID GC.run` (a full GC); RSS is VmRSS.\n\n");
        md.append("| connections | heap used after GC (MB) | RSS (MB) | server open files | server threads | opened/s |\n")
                .append("| ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Map<String, Object> p : Json.<Map<String, Object>>list(idle.get("points"))) {
            md.append("| ").append(num(p.get("connections"))).append(" | ").append(num(p.get("heapUsedMB"))).append(" | ")
                    .append(num(p.get("rssMB"))).append(" | ").append(num(p.get("serverOpenFiles"))).append(" | ")
                    .append(num(p.get("serverThreads"))).append(" | ").append(num(p.get("openedPerSecond"))).append(" |\n");
        }
        md.append("\nPer 10,000 connections: **").append(num(idle.get("heapMBPer10k"))).append(" MB heap**, ")
                .append(num(idle.get("rssMBPer10k"))).append(" MB RSS; baseline heap ").append(num(idle.get("heapMBBaseline")))
                .append(" MB; extrapolated heap at 100,000: ").append(num(idle.get("heapMBExtrapolated100k")))
                .append(" MB. Still open after 5 s: ").append(num(idle.get("stillOpenAfter5s")))
                .append("; after closing all: heap ").append(at(idle, "afterClose", "heapUsedMB")).append(" MB, RSS ")
                .append(at(idle, "afterClose", "rssMB")).append(" MB.\n\n");
        String png = Plots.idle(idle, dir, "idle-connections.png");
        if (png != null) {
            md.append("![").append(png).append("](").append(png).append(")\n\n");
        }
    }

    private static void rebuild(StringBuilder md, Map<String, Object> report, Path dir) {
        Map<String, Object> r = map(report.get("rebuild"));
        if (r.isEmpty()) {
            return;
        }
        md.append("## Projection rebuild (in-process)\n\n").append(num(r.get("events"))).append(" events appended of ")
                .append(num(r.get("eventsRequested"))).append(" requested (")
                .append(num(r.get("conversations"))).append(" direct conversations full of `MessageSent`) appended ")
                .append("straight to the event store in batches (").append(num(r.get("appendEventsPerSecond")))
                .append(" events/s, ").append(num(r.get("appendSeconds"))).append(" s), then `conversation-projection` ")
                .append("reset (its reset handler empties the read model) and started; other processors and the live ")
                .append("fan-out stopped. Settings: ").append(report.get("rebuild") instanceof Map<?, ?> m ? m.get("settings") : "")
                .append(".\n\n**Rebuild: ").append(num(r.get("rebuildEventsPerSecond"))).append(" events/s** (")
                .append(num(r.get("eventsRebuilt"))).append(" events in ")
                .append(num(r.get("rebuildSeconds"))).append(" s, caught up: ").append(r.get("caughtUp"))
                .append(", 1,000,000 events would take ").append(num(r.get("rebuildSecondsProjectedFor1M"))).append(" s")
                .append(", process CPU ").append(num(r.get("cpuPct"))).append("%); read model afterwards: ")
                .append(num(r.get("messagesInReadModel"))).append(" messages, ").append(num(r.get("inboxRows")))
                .append(" inbox rows.\n\n");
        String png = Plots.rebuild(r, dir, "rebuild.png");
        if (png != null) {
            md.append("![").append(png).append("](").append(png).append(")\n\n");
        }
    }

    private static void longConversation(StringBuilder md, Map<String, Object> report, Path dir) {
        Map<String, Map<String, Object>> runs = new LinkedHashMap<>();
        for (String key : new String[]{"long-cache-on", "long-cache-off"}) {
            if (!map(report.get(key)).isEmpty()) {
                runs.put(key.equals("long-cache-on") ? "cache on" : "cache off", map(report.get(key)));
            }
        }
        if (runs.isEmpty()) {
            return;
        }
        md.append("## Long conversations (issue 3, in-process)\n\nOne conversation, `SendMessage` commands one at a ")
                .append("time through the command gateway (after a JIT warm-up on another conversation). ")
                .append("\"At 100\" = messages 51–150; \"at N\" = the last 100 messages.\n\n")
                .append("| run | messages | settings | commands/s | at 100: p50 | p99 | max | at N: p50 | p99 | max | all: p99 |\n")
                .append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        runs.forEach((label, r) -> md.append("| ").append(label).append(" | ").append(num(r.get("messages"))).append(" | ")
                .append(r.get("settings")).append(" | ").append(num(r.get("commandsPerSecond"))).append(" | ")
                .append(at(r, "atMessage100", "p50Ms")).append(" | ").append(at(r, "atMessage100", "p99Ms")).append(" | ")
                .append(at(r, "atMessage100", "maxMs")).append(" | ").append(at(r, "atMessageN", "p50Ms")).append(" | ")
                .append(at(r, "atMessageN", "p99Ms")).append(" | ").append(at(r, "atMessageN", "maxMs")).append(" | ")
                .append(at(r, "all", "p99Ms")).append(" |\n"));
        md.append('\n');
        String png = Plots.longConversation(runs, dir, "long-conversation.png");
        if (png != null) {
            md.append("![").append(png).append("](").append(png).append(")\n\n");
        }
    }

    private static void lag(StringBuilder md, Map<String, Object> report) {
        Map<String, Object> r = map(report.get("lag"));
        if (r.isEmpty()) {
            return;
        }
        Map<String, Object> rest = map(r.get("atRest"));
        // one under-load phase per rate; a report from before there were several holds one map
        List<Map<String, Object>> loads = r.get("underLoad") instanceof Map<?, ?> one ? List.of(map(one))
                : list(r.get("underLoad"));
        Map<String, Object> first = loads.isEmpty() ? Map.of() : loads.get(0);
        md.append("## Commit -> read-model lag\n\n")
                .append("In-process, `conversation-projection`, ").append(num(r.get("users"))).append(" users in ")
                .append(num(r.get("conversations"))).append(" direct conversations, after ")
                .append(num(r.get("warmupSeconds"))).append(" s of JIT warm-up at ").append(num(r.get("warmupRate")))
                .append(" sends/s. Right after a `SendMessage` command completed (committed: with H2's group commit, ")
                .append("after the file write; the projection may read the event before that), the query side's ")
                .append("`ConsistencyBarrier.awaitProjection` reads the event store's head and returns once the ")
                .append("projection's saved position covers it; its duration is the lag, rounded up to the barrier's ")
                .append("next poll (it checks at once, then after pauses of 1, 2, 4, 8, 16, 16, ... ms). At rest: one ")
                .append("send at a time, ").append(num(rest.get("gapMs"))).append(" ms apart, the barrier on the same ")
                .append("thread. Under load, once at each rate (the fixed-rate runs' rates unless `--rates` said ")
                .append("otherwise), ").append(num(first.get("seconds"))).append(" s each: an open-loop schedule ")
                .append("handing each send at its intended time to ").append(num(r.get("senderThreads")))
                .append(" sender threads; the barrier timed for 1 send in ")
                .append(num(first.get("sampleEvery"))).append(" (at random) when its command completes, each on a ")
                .append("thread of its own (a pool of up to ")
                .append(num(r.get("barrierThreads"))).append("; \"barrier queue\": how long a sample waited for its ")
                .append("thread, since the head is read only after that wait). *Committed/s* is what was answered ")
                .append("during the schedule; *overloaded*: more than 5 s of sends waited, and the schedule stopped ")
                .append("there, or the command bus refused sends as busy (a lane held `parley.axon.command-queue-capacity` ")
                .append("commands; those sends are counted under *errors*).\n\n");
        md.append("| condition | offered/s | committed/s | samples | lag p50 | p90 | p99 | max | overloaded | errors | notes |\n")
                .append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |\n");
        if (!rest.isEmpty()) {
            md.append("| at rest | – | – | ").append(at(rest, "lag", "count")).append(" | ")
                    .append(at(rest, "lag", "p50Ms")).append(" | ").append(at(rest, "lag", "p90Ms")).append(" | ")
                    .append(at(rest, "lag", "p99Ms")).append(" | ").append(at(rest, "lag", "maxMs")).append(" | – | ")
                    .append(num(rest.get("errors"))).append(" | command p50 ").append(at(rest, "command", "p50Ms"))
                    .append(" ms, p99 ").append(at(rest, "command", "p99Ms")).append(" ms |\n");
        }
        for (Map<String, Object> load : loads) {
            Object refused = map(load.get("errors")).get("UnavailableException"); // a full command lane's answer
            List<String> notes = new ArrayList<>();
            notes.add("ack from intended send p99 " + at(load, "ackFromIntended", "p99Ms") + " ms");
            notes.add("barrier queue p99 " + at(load, "barrierQueue", "p99Ms") + " ms, at most "
                    + num(load.get("maxConcurrentBarriers")) + " barriers waiting at once");
            if (d(load.get("barrierSkipped")) > 0) {
                notes.add(num(load.get("barrierSkipped")) + " samples skipped (no barrier thread free)");
            }
            notes.add("CPU process " + at(load, "cpu", "processPct") + "%, machine " + at(load, "cpu", "machinePct") + "%");
            md.append("| under load | ").append(num(load.get("offeredRate"))).append(" | ")
                    .append(num(load.get("committedPerSecond"))).append(" | ").append(at(load, "lag", "count"))
                    .append(" | ").append(at(load, "lag", "p50Ms")).append(" | ").append(at(load, "lag", "p90Ms"))
                    .append(" | ").append(at(load, "lag", "p99Ms")).append(" | ").append(at(load, "lag", "maxMs"))
                    .append(" | ").append(d(refused) > 0 ? "yes: " + num(refused) + " refused as busy"
                            : Boolean.TRUE.equals(load.get("overloaded")) ? "yes" : "no")
                    .append(" | ").append(num(d(load.get("failed")) + d(load.get("barrierFailed")))).append(" | ")
                    .append(String.join("; ", notes)).append(" |\n");
        }
        md.append('\n');
    }
}
