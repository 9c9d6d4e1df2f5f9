package io.parley.bench.report;

import io.parley.bench.Latency;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The report writer: merges parts, writes the Markdown tables and draws the plots (headless). */
class ReportTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void mergesPartsAndRendersTablesAndPlots() throws Exception {
        Map<String, Object> run = fullRun();
        Files.writeString(dir.resolve("environment.txt"), "profile=quick\ncores=2\n");
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(dir.resolve("socket.part.json").toFile(),
                Map.of("fixedRate", List.of(run)));

        ReportMain.main(new String[]{"--out=" + dir});

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("## Fixed-rate runs", "| 1,000 | 1,000 | 1,000 | 998 | 5 | 9.90 |",
                "p99 send→message < 20 ms at 1,000 msg/s", "| cores | 2 |", "| 110% | 18.3 KB | 0 / 0 |");
        assertThat(Files.readString(dir.resolve("report.json"))).contains("\"fixedRate\"", "\"environment\"");
        for (String png : List.of("latency-over-time-1000.png", "latency-distribution.png", "throughput-vs-offered.png")) {
            assertThat(dir.resolve(png)).exists();
            assertThat(Files.size(dir.resolve(png))).isGreaterThan(1000);
        }
    }

    /** BENCH_PART: a second part at the same rate renders beside the first, each with its own plot and name. */
    @Test
    @Timeout(120)
    void twoPartsAtTheSameRateStayApart() throws Exception {
        Files.writeString(dir.resolve("environment.txt"), "profile=quick\ncores=2\n");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        json.writeValue(dir.resolve("socket.part.json").toFile(), Map.of("fixedRate", List.of(fullRun())));
        json.writeValue(dir.resolve("second.part.json").toFile(), Map.of("fixedRate", List.of(fullRun())));

        ReportMain.main(new String[]{"--out=" + dir});

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("| part second |", "latency-over-time-1000.png", "latency-over-time-1000-second.png");
        assertThat(dir.resolve("latency-over-time-1000-second.png")).exists();
        assertThat(dir.resolve("latency-distribution.png")).exists();
    }

    @Test
    @Timeout(60)
    void theLagSectionHasARowAtRestAndOnePerRate() throws Exception {
        Histogram h = lagHistogram();

        String md = lagReport(h, List.of(lagRun(h, 200, 200, false), lagRun(h, 5000, 1210, true)));
        assertThat(md).contains("## Commit -> read-model lag", "after 10 s of JIT warm-up at 500",
                "| at rest | – | – | 100 | 6 | 10.01 | 10.90 | 11.01 | – | 0 |",
                "| under load | 200 | 200 | 100 | 6 | 10.01 | 10.90 | 11.01 | no | 0 |",
                "| under load | 5,000 | 1,210 | 100 | 6 | 10.01 | 10.90 | 11.01 | yes | 0 |");
        assertThat(Files.readString(dir.resolve("report.json"))).contains("\"underLoad\" : [ {");
    }

    @Test
    @Timeout(60)
    void aRateWhoseSendsTheBusRefusedAsBusyIsOverloadedThoughTheScheduleWentOn() throws Exception {
        Histogram h = lagHistogram();
        Map<String, Object> refusing = lagRun(h, 5000, 2259, true);
        refusing.put("failed", 61964);
        refusing.put("errors", Map.of("UnavailableException", 61964));

        assertThat(lagReport(h, List.of(refusing)))
                .contains("| under load | 5,000 | 2,259 | 100 | 6 | 10.01 | 10.90 | 11.01 | yes: 61,964 refused as busy"
                        + " | 61,964 |");
    }

    @Test
    @Timeout(60)
    void aLagReportFromBeforeThereWereSeveralRatesStillRendersItsOneRate() throws Exception {
        Histogram h = lagHistogram();

        assertThat(lagReport(h, lagRun(h, 1000, 990, false)))
                .contains("| under load | 1,000 | 990 | 100 | 6 | 10.01 | 10.90 | 11.01 | no | 0 |");
    }

    @Test
    @Timeout(120)
    void aQuickRunSaysNotMeasuredForEveryTargetLargerThanWhatItRan() throws Exception {
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("fixedRate", List.of(socketRun(200, 100, 200, 200, false, 12), socketRun(500, 100, 500, 499, false, 45)));
        part.put("fanout", Map.of("members", 200, "lastMember", Map.of("p50Ms", 150.0, "maxMs", 300.0),
                "membersReached", List.of(199, 199)));
        part.put("idle", Map.of("opened", 2000, "heapMBPer10k", 300.0, "heapMBExtrapolated100k", 3100.0,
                "points", List.of()));
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(dir.resolve("socket.part.json").toFile(), part);
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(dir.resolve("rebuild.part.json").toFile(),
                Map.of("rebuild", Map.of("events", 30_000, "eventsRebuilt", 30_000, "caughtUp", true,
                        "rebuildEventsPerSecond", 4000)));

        ReportMain.main(new String[]{"--out=" + dir});

        String targets = section(Files.readString(dir.resolve("report.md")), "## Targets (issue 17");
        assertThat(targets).doesNotContain("| **no** |", "| yes |").contains(
                "| >= 10,000 msg/s persisted and delivered, 1:1 conversations over 1,000 users |",
                "not measured (no run offered 10,000 msg/s over 1,000 users; highest 500 msg/s over 100 users)",
                "not measured (no run at 1,000 msg/s)",
                "not measured (the ceiling was not reached: no rate above 500 msg/s was tried)",
                "not measured (no run offered 5,000 msg/s; highest 500 msg/s)",
                "not measured (30,000 events, not 1,000,000)",
                "not measured (2,000 connections; extrapolated 3,100 MB)",
                "not measured (a 200-member group)");
    }

    @Test
    @Timeout(120)
    void aTargetMeasuredAsNamedIsMetOrMissed() throws Exception {
        Map<String, Object> part = new LinkedHashMap<>();
        // 1,000/s kept up with p99 30 ms, 5,000/s offered but only 1,100/s acked: the ceiling lies between
        part.put("fixedRate", List.of(socketRun(1000, 1000, 1000, 999, false, 30),
                socketRun(5000, 1000, 1100, 1000, true, 9000)));
        part.put("fanout", Map.of("members", 1000, "lastMember", Map.of("p50Ms", 40.0, "maxMs", 60.0),
                "membersReached", List.of(999, 999)));
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(dir.resolve("socket.part.json").toFile(), part);

        ReportMain.main(new String[]{"--out=" + dir});

        String targets = section(Files.readString(dir.resolve("report.md")), "## Targets (issue 17");
        assertThat(targets).contains(
                "| p99 send→message < 20 ms at 1,000 msg/s | p99 30 ms (p50 3) at 1,000 msg/s offered over 1,000 users | **no** |",
                "| p99 send→message < 100 ms at the highest sustained rate | highest rate kept up: 1,000 msg/s, p99 30 ms; "
                        + "5,000 msg/s was not kept up | yes |",
                "sustained (at least 95 % of the offered rate acknowledged and delivered, p99 under 100 ms) | 5,000 msg/s "
                        + "over 1,000 users: acked 1,100/s, delivered 1,000/s, p99 9,000 ms, overloaded | **no** |",
                "| 1,000 members: last member p50 40 ms, max 60 ms | yes |");
    }

    @Test
    @Timeout(120)
    void aRunAgainstABoundSaysSoAndMarksNoneOfParleysTargets() throws Exception {
        Files.writeString(dir.resolve("environment.txt"),
                "profile=full\nserver_args=--stage=log\nserver_main=io.parley.bench.bound.PipelineBound\n");
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(dir.resolve("socket.part.json").toFile(),
                Map.of("fixedRate", List.of(socketRun(1000, 1000, 1000, 1000, false, 4))));

        ReportMain.main(new String[]{"--out=" + dir});

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("**The server of this run is not Parley**: it is `io.parley.bench.bound.PipelineBound`",
                "## Fixed-rate runs");
        assertThat(md).doesNotContain("## Targets", "The server is the standalone jar");
    }

    @Test
    void theLatencyCurveEndsAtItsLargestSample() {
        Histogram h = Latency.histogram();
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 10L);
        }
        List<double[]> curve = Latency.curve(h);
        double[] last = curve.get(curve.size() - 1);
        // the largest of 1,000 samples is 1 in 1,000: p99.9, x = 1/(1-p) = 1,000 on the distribution plot
        assertThat(last[0]).isCloseTo(99.9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(last[1]).isCloseTo(10.0, org.assertj.core.data.Offset.offset(0.02)); // HdrHistogram's 3 digits
        assertThat(curve).allSatisfy(point -> assertThat(point[0]).isLessThanOrEqualTo(99.9 + 1e-9));
    }

    /** A fixed-rate run at 1,000 msg/s with every figure the report reads. */
    private static Map<String, Object> fullRun() {
        Histogram h = Latency.histogram();
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 10L); // 0.01 .. 10 ms
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("label", "fixed");
        run.put("offeredRate", 1000);
        run.put("warmupSeconds", 2);
        run.put("senders", 10);
        run.put("textSize", 100);
        run.put("sentPerSecondMeasured", 1000.0);
        run.put("ackedPerSecond", 999.5);
        run.put("deliveredPerSecond", 998.0);
        run.put("notAcked", 0);
        run.put("notDelivered", 0);
        run.put("errors", Map.of());
        run.put("ackLatency", Latency.summary(h));
        run.put("e2eLatency", Latency.summary(h));
        run.put("e2eLatencyUncorrected", Latency.summary(h));
        run.put("cpu", Map.of("serverPct", 80.0, "generatorPct", 20.0, "machinePct", 110.0));
        run.put("serverWrittenBytesPerMessage", 18_324);
        run.put("e2eCurve", Latency.curve(h));
        run.put("e2eCurveUncorrected", Latency.curve(h));
        List<Map<String, Object>> series = new ArrayList<>();
        for (int t = 1; t <= 5; t++) {
            series.add(Map.of("t", t, "e2eP50Ms", 1.0, "e2eP99Ms", 5.0, "ackP99Ms", 4.0));
        }
        run.put("series", series);
        return run;
    }

    private static Map<String, Object> socketRun(int offered, int senders, double acked, double delivered,
                                                 boolean overloaded, double p99) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("label", "fixed");
        run.put("offeredRate", offered);
        run.put("senders", senders);
        run.put("ackedPerSecond", acked);
        run.put("deliveredPerSecond", delivered);
        run.put("overloaded", overloaded);
        run.put("e2eLatency", Map.of("count", 1000, "p50Ms", p99 / 10, "p99Ms", p99, "maxMs", p99 * 2));
        return run;
    }

    /** 100 lag samples of 1.1 .. 11 ms. */
    private static Histogram lagHistogram() {
        Histogram h = Latency.histogram();
        for (int i = 1; i <= 100; i++) {
            h.recordValue(1000L + i * 100L);
        }
        return h;
    }

    /**
     * Writes a lag part with {@code underLoad} (a list of runs, or one run as reports had it before there were several
     * rates), renders the report and answers its report.md.
     */
    private String lagReport(Histogram h, Object underLoad) throws Exception {
        Map<String, Object> lag = lagPart(h);
        lag.put("underLoad", underLoad);
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(dir.resolve("lag.part.json").toFile(),
                Map.of("lag", lag));
        ReportMain.main(new String[]{"--out=" + dir});
        return Files.readString(dir.resolve("report.md"));
    }

    private static Map<String, Object> lagPart(Histogram h) {
        Map<String, Object> rest = new LinkedHashMap<>();
        rest.put("gapMs", 20);
        rest.put("errors", 0);
        rest.put("lag", Latency.summary(h));
        rest.put("command", Latency.summary(h));
        Map<String, Object> lag = new LinkedHashMap<>();
        lag.put("users", 100);
        lag.put("conversations", 50);
        lag.put("warmupSeconds", 10);
        lag.put("warmupRate", 500);
        lag.put("barrierThreads", 4);
        lag.put("atRest", rest);
        return lag;
    }

    private static Map<String, Object> lagRun(Histogram h, int offered, int committed, boolean overloaded) {
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("offeredRate", offered);
        load.put("seconds", 20);
        load.put("committedPerSecond", committed);
        load.put("sampleEvery", 10);
        load.put("failed", 0);
        load.put("barrierFailed", 0);
        load.put("overloaded", overloaded);
        load.put("lag", Latency.summary(h));
        load.put("ackFromIntended", Latency.summary(h));
        load.put("barrierQueue", Latency.summary(h));
        load.put("cpu", Map.of("processPct", 150.0, "machinePct", 190.0));
        return load;
    }

    /** The text from the heading that starts with {@code heading} up to the next heading. */
    private static String section(String md, String heading) {
        int start = md.indexOf(heading);
        assertThat(start).as("heading " + heading).isNotNegative();
        int end = md.indexOf("\n## ", start + 1);
        return md.substring(start, end < 0 ? md.length() : end);
    }
}
