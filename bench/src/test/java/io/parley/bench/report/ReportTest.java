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
        run.put("e2eCurve", Latency.curve(h));
        run.put("e2eCurveUncorrected", Latency.curve(h));
        List<Map<String, Object>> series = new ArrayList<>();
        for (int t = 1; t <= 5; t++) {
            series.add(Map.of("t", t, "e2eP50Ms", 1.0, "e2eP99Ms", 5.0, "ackP99Ms", 4.0));
        }
        run.put("series", series);
        Files.writeString(dir.resolve("environment.txt"), "profile=quick\ncores=2\n");
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(dir.resolve("socket.part.json").toFile(),
                Map.of("fixedRate", List.of(run)));

        ReportMain.main(new String[]{"--out=" + dir});

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("## Fixed-rate runs", "| 1,000 | 1,000 | 1,000 | 998 | 5 | 9.90 |",
                "p99 send→message < 20 ms at 1,000 msg/s", "| cores | 2 |");
        assertThat(Files.readString(dir.resolve("report.json"))).contains("\"fixedRate\"", "\"environment\"");
        for (String png : List.of("latency-over-time-1000.png", "latency-distribution.png", "throughput-vs-offered.png")) {
            assertThat(dir.resolve(png)).exists();
            assertThat(Files.size(dir.resolve(png))).isGreaterThan(1000);
        }
    }

    @Test
    @Timeout(60)
    void rendersTheLagSection() throws Exception {
        Histogram h = Latency.histogram();
        for (int i = 1; i <= 100; i++) {
            h.recordValue(1000L + i * 100L); // 1.1 .. 11 ms
        }
        Map<String, Object> rest = new LinkedHashMap<>();
        rest.put("gapMs", 20);
        rest.put("errors", 0);
        rest.put("lag", Latency.summary(h));
        rest.put("command", Latency.summary(h));
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("offeredRate", 1000);
        load.put("committedPerSecond", 990);
        load.put("sampleEvery", 10);
        load.put("failed", 0);
        load.put("barrierFailed", 0);
        load.put("overloaded", false);
        load.put("lag", Latency.summary(h));
        load.put("ackFromIntended", Latency.summary(h));
        load.put("barrierQueue", Latency.summary(h));
        load.put("cpu", Map.of("processPct", 150.0, "machinePct", 190.0));
        Map<String, Object> lag = new LinkedHashMap<>();
        lag.put("users", 100);
        lag.put("conversations", 50);
        lag.put("warmupSeconds", 10);
        lag.put("warmupRate", 500);
        lag.put("barrierThreads", 4);
        lag.put("atRest", rest);
        lag.put("underLoad", load);
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(dir.resolve("lag.part.json").toFile(),
                Map.of("lag", lag));

        ReportMain.main(new String[]{"--out=" + dir});

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("## Commit -> read-model lag", "| at rest | – | – | 100 | 6 | 10.01 | 10.90 | 11.01 | 0 |",
                "| under load | 1,000 | 990 | 100 | 6 | 10.01 | 10.90 | 11.01 | 0 |", "after 10 s of JIT warm-up at 500");
    }
}
