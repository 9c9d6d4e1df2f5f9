package io.parley.bench.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The report's PNG plots, drawn with XChart (headless). Each method returns the file name it wrote, or null. */
final class Plots {

    private Plots() {
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(1100).height(620).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setMarkerSize(5);
        chart.getStyler().setPlotGridLinesVisible(true);
        return chart;
    }

    private static String save(XYChart chart, Path dir, String name) {
        if (chart.getSeriesMap().isEmpty()) {
            return null;
        }
        try {
            BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
            return name;
        } catch (IOException e) {
            throw new IllegalStateException("could not write " + name, e);
        }
    }

    /** Adds a series of (x, y) where neither is null; skipped if it has no point. */
    private static void series(XYChart chart, String name, List<Map<String, Object>> points, String x, String y) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (Map<String, Object> p : points) {
            Object xv = p.get(x);
            Object yv = p.get(y);
            if (xv instanceof Number xn && yv instanceof Number yn) {
                xs.add(xn.doubleValue());
                ys.add(yn.doubleValue());
            }
        }
        if (!xs.isEmpty()) {
            chart.addSeries(name, xs, ys);
        }
    }

    /** Per-second latency percentiles of one open-loop run. */
    static String latencyOverTime(Map<String, Object> run, Path dir, String name) {
        List<Map<String, Object>> series = Json.list(run.get("series"));
        XYChart chart = chart("Latency over time at " + run.get("offeredRate") + " msg/s offered (per-second percentiles, "
                + "corrected for coordinated omission)", "seconds since start (warm-up " + run.get("warmupSeconds")
                + " s included)", "latency (ms)");
        series(chart, "send->message p50", series, "t", "e2eP50Ms");
        series(chart, "send->message p99", series, "t", "e2eP99Ms");
        series(chart, "send->message p99.9", series, "t", "e2eP999Ms");
        series(chart, "send->message max", series, "t", "e2eMaxMs");
        series(chart, "send->ack p99", series, "t", "ackP99Ms");
        return save(chart, dir, name);
    }

    /** Percentile distribution (HdrHistogram style: x is 1/(1-p) on a log axis) of each run. */
    static String distribution(List<Map<String, Object>> runs, Path dir, String name, String title) {
        XYChart chart = chart(title, "percentile as 1/(1-p): 10 = p90, 100 = p99, 1,000 = p99.9, 10,000 = p99.99",
                "latency (ms)");
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        for (Map<String, Object> run : runs) {
            String label = run.get("offeredRate") + " msg/s";
            addCurve(chart, label + " send->message", run.get("e2eCurve"));
            addCurve(chart, label + " send->message, uncorrected", run.get("e2eCurveUncorrected"))
                    .forEach(s -> s.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH));
        }
        return save(chart, dir, name);
    }

    private static List<XYSeries> addCurve(XYChart chart, String label, Object curve) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (Object point : Json.list(curve)) {
            List<?> pair = (List<?>) point;
            double p = ((Number) pair.get(0)).doubleValue();
            double ms = Math.max(0.01, ((Number) pair.get(1)).doubleValue());
            xs.add(1 / (1 - p / 100.0));
            ys.add(ms);
        }
        if (xs.isEmpty()) {
            return List.of();
        }
        XYSeries s = chart.addSeries(label, xs, ys);
        s.setMarker(SeriesMarkers.NONE);
        return List.of(s);
    }

    /** Acked and delivered per second against the offered rate, for the fixed-rate runs and the search. */
    static String throughput(List<Map<String, Object>> runs, Path dir, String name) {
        XYChart chart = chart("Throughput vs offered rate", "offered (msg/s)", "msg/s");
        List<Map<String, Object>> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingDouble(r -> ((Number) r.get("offeredRate")).doubleValue()));
        series(chart, "offered (ideal)", sorted, "offeredRate", "offeredRate");
        series(chart, "acked/s", sorted, "offeredRate", "ackedPerSecond");
        series(chart, "delivered/s", sorted, "offeredRate", "deliveredPerSecond");
        return save(chart, dir, name);
    }

    static String idle(Map<String, Object> idle, Path dir, String name) {
        XYChart chart = chart("Server memory with idle WebSocket connections", "open connections", "MB");
        List<Map<String, Object>> points = Json.list(idle.get("points"));
        series(chart, "heap used after full GC", points, "connections", "heapUsedMB");
        series(chart, "resident set size (VmRSS)", points, "connections", "rssMB");
        return save(chart, dir, name);
    }

    static String fanout(Map<String, Object> fanout, Path dir, String name) {
        XYChart chart = chart("Group fan-out: " + fanout.get("members") + " members, one message per trial",
                "trial", "ms after send");
        List<Map<String, Object>> points = new ArrayList<>();
        List<?> last = Json.list(fanout.get("lastMemberMs"));
        List<?> median = Json.list(fanout.get("medianMemberMs"));
        for (int i = 0; i < last.size(); i++) {
            points.add(Map.of("trial", i + 1, "last", last.get(i), "median", median.get(i)));
        }
        series(chart, "last member has it", points, "trial", "last");
        series(chart, "median member has it", points, "trial", "median");
        return save(chart, dir, name);
    }

    static String rebuild(Map<String, Object> rebuild, Path dir, String name) {
        XYChart chart = chart("Projection rebuild (conversation-projection), " + rebuild.get("events") + " events",
                "seconds", "events/s");
        series(chart, "events/s", Json.list(rebuild.get("progress")), "t", "eventsPerSecond");
        return save(chart, dir, name);
    }

    static String longConversation(Map<String, Map<String, Object>> runs, Path dir, String name) {
        XYChart chart = chart("SendMessage command latency along one conversation", "message number in the conversation",
                "command latency (ms)");
        runs.forEach((label, run) -> {
            series(chart, label + " p50", Json.list(run.get("blocks")), "upToMessage", "p50Ms");
            series(chart, label + " p99", Json.list(run.get("blocks")), "upToMessage", "p99Ms");
        });
        chart.getStyler().setYAxisLogarithmic(true);
        return save(chart, dir, name);
    }
}
