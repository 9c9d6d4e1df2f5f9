package io.parley.bench.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The report's PNG plots, drawn with XChart (headless). Each method returns the file name it wrote, or null.
 * <p>
 * Lines that can coincide (acknowledged and delivered, p99 and p99.9, corrected and uncorrected) differ in colour,
 * dash pattern and marker, and the second is drawn after the first, thinner, dashed and with an open marker (a cross
 * or a plus), so where they lie on top of each other both still show; the legend sits beside the plot, off the lines.
 */
final class Plots {

    private static final Color BLUE = new Color(0, 114, 178);
    private static final Color VERMILLION = new Color(213, 94, 0);
    private static final Color GREEN = new Color(0, 158, 115);
    private static final Color PURPLE = new Color(204, 121, 167);
    private static final Color ORANGE = new Color(230, 159, 0);
    private static final Color SKY = new Color(86, 180, 233);
    private static final Color GREY = new Color(110, 110, 110);
    private static final Color PALE = new Color(175, 175, 175);
    private static final Color[] PALETTE = {BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY, Color.BLACK};

    private static final BasicStroke WIDE = new BasicStroke(8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND);
    private static final BasicStroke SOLID = new BasicStroke(3.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND);
    private static final BasicStroke THIN = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND);
    private static final BasicStroke DASHED = dashes(1.8f, 9f, 5f);
    private static final BasicStroke DOTTED = dashes(1.5f, 2f, 4f);
    private static final BasicStroke DASH_DOT = dashes(1.8f, 9f, 4f, 2f, 4f);

    /** How one line looks. */
    private record Look(Color color, BasicStroke stroke, Marker marker) {
    }

    private Plots() {
    }

    private static BasicStroke dashes(float width, float... pattern) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, pattern, 0f);
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(1400).height(640).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendSeriesLineLength(40);
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setPlotGridLinesVisible(true);
        return chart;
    }

    private static void look(XYSeries s, Look look) {
        s.setLineColor(look.color());
        s.setMarkerColor(look.color());
        s.setLineStyle(look.stroke());
        s.setMarker(look.marker());
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

    /** Adds a series of (x, y) where neither is null, drawn as {@code look}; skipped if it has no point. */
    private static Optional<XYSeries> series(XYChart chart, String name, List<Map<String, Object>> points, String x,
                                             String y, Look look) {
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
        if (xs.isEmpty()) {
            return Optional.empty();
        }
        XYSeries s = chart.addSeries(name, xs, ys);
        look(s, look);
        return Optional.of(s);
    }

    /** Per-second latency percentiles of one open-loop run. */
    static String latencyOverTime(Map<String, Object> run, Path dir, String name) {
        List<Map<String, Object>> series = Json.list(run.get("series"));
        XYChart chart = chart("Latency over time at " + runName(run) + " offered (per-second percentiles, "
                + "corrected for coordinated omission)", "seconds since start (warm-up " + run.get("warmupSeconds")
                + " s included)", "latency (ms)");
        // drawn bottom to top: the max a wide pale band (where p99.9 reaches it, the band shows around p99.9), then each
        // line that can lie on an earlier one thinner, dashed and with an open marker
        series(chart, "send->message max", series, "t", "e2eMaxMs", new Look(PALE, WIDE, SeriesMarkers.TRIANGLE_UP));
        series(chart, "send->message p50", series, "t", "e2eP50Ms", new Look(GREEN, THIN, SeriesMarkers.CIRCLE));
        series(chart, "send->message p99", series, "t", "e2eP99Ms", new Look(BLUE, SOLID, SeriesMarkers.SQUARE));
        series(chart, "send->ack p99", series, "t", "ackP99Ms", new Look(PURPLE, DASH_DOT, SeriesMarkers.PLUS));
        series(chart, "send->message p99.9", series, "t", "e2eP999Ms", new Look(VERMILLION, DASHED, SeriesMarkers.CROSS));
        return save(chart, dir, name);
    }

    /**
     * Percentile distribution (HdrHistogram style: x is 1/(1-p) on a log axis) of each run. Each curve stops at its
     * largest sample: of n samples the largest is 1 in n, so the curve ends at x = n (p = 1 - 1/n) instead of running
     * flat to the right edge.
     */
    static String distribution(List<Map<String, Object>> runs, Path dir, String name, String title) {
        XYChart chart = chart(title, "percentile as 1/(1-p): 10 = p90, 100 = p99, 1,000 = p99.9, 10,000 = p99.99",
                "latency (ms)");
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        int i = 0;
        for (Map<String, Object> run : runs) {
            String label = runName(run);
            Color color = PALETTE[i++ % PALETTE.length];
            addCurve(chart, label + " send->message", run.get("e2eCurve"), Json.map(run.get("e2eLatency")).get("count"))
                    .ifPresent(s -> look(s, new Look(color, SOLID, SeriesMarkers.NONE)));
            addCurve(chart, label + " send->message, uncorrected", run.get("e2eCurveUncorrected"),
                    Json.map(run.get("e2eLatencyUncorrected")).get("count"))
                    .ifPresent(s -> look(s, new Look(color.darker(), DASHED, SeriesMarkers.CROSS)));
        }
        return save(chart, dir, name);
    }

    /**
     * A fixed-rate run's name in plots and file names: its offered rate, and its part when that is not the default
     * part ({@code socket}): a second {@code BENCH_PART} into the same folder may run the same rate.
     */
    static String runName(Map<String, Object> run) {
        return run.get("offeredRate") + " msg/s" + otherPart(run).map(part -> " (" + part + ")").orElse("");
    }

    /** The run's part ({@code BENCH_PART}) when it is not the default one ({@code socket}). */
    static Optional<String> otherPart(Map<String, Object> run) {
        Object part = run.get("part");
        return part == null || "socket".equals(part) ? Optional.empty() : Optional.of(part.toString());
    }

    /** A curve of [percentile, ms] pairs, cut at the percentile of its largest sample when the count is known. */
    private static Optional<XYSeries> addCurve(XYChart chart, String label, Object curve, Object count) {
        List<double[]> points = new ArrayList<>();
        for (Object point : Json.list(curve)) {
            List<?> pair = (List<?>) point;
            points.add(new double[]{((Number) pair.get(0)).doubleValue(), ((Number) pair.get(1)).doubleValue()});
        }
        if (points.isEmpty()) {
            return Optional.empty();
        }
        // an older report's last point is the largest sample placed at p99.9999 (x = 1,000,000)
        double lastX = count instanceof Number n && n.doubleValue() >= 1 ? n.doubleValue()
                : 1 / (1 - points.get(Math.max(0, points.size() - 2))[0] / 100.0);
        double largest = points.get(points.size() - 1)[1];
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (double[] point : points) {
            double x = 1 / (1 - point[0] / 100.0);
            if (x < lastX * (1 - 1e-9)) {
                xs.add(x);
                ys.add(Math.max(0.01, point[1]));
            }
        }
        xs.add(lastX);
        ys.add(Math.max(0.01, largest));
        return Optional.of(chart.addSeries(label, xs, ys));
    }

    /** Acked and delivered per second against the offered rate, for the fixed-rate runs and the search. */
    static String throughput(List<Map<String, Object>> runs, Path dir, String name) {
        XYChart chart = chart("Throughput vs offered rate", "offered (msg/s)", "msg/s");
        List<Map<String, Object>> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingDouble(r -> ((Number) r.get("offeredRate")).doubleValue()));
        series(chart, "offered (ideal)", sorted, "offeredRate", "offeredRate", new Look(GREY, DOTTED, SeriesMarkers.NONE));
        series(chart, "acked/s", sorted, "offeredRate", "ackedPerSecond", new Look(BLUE, SOLID, SeriesMarkers.CIRCLE));
        series(chart, "delivered/s", sorted, "offeredRate", "deliveredPerSecond",
                new Look(VERMILLION, DASHED, SeriesMarkers.CROSS));
        return save(chart, dir, name);
    }

    static String idle(Map<String, Object> idle, Path dir, String name) {
        XYChart chart = chart("Server memory with idle WebSocket connections", "open connections", "MB");
        List<Map<String, Object>> points = Json.list(idle.get("points"));
        series(chart, "heap used after full GC", points, "connections", "heapUsedMB",
                new Look(BLUE, SOLID, SeriesMarkers.CIRCLE));
        series(chart, "resident set size (VmRSS)", points, "connections", "rssMB",
                new Look(VERMILLION, DASHED, SeriesMarkers.CROSS));
        return save(chart, dir, name);
    }

    static String fanout(Map<String, Object> fanout, Path dir, String name) {
        XYChart chart = chart("Group fan-out: " + fanout.get("members") + " members, one message per trial",
                "trial", "ms after send");
        List<Map<String, Object>> points = new ArrayList<>();
        List<?> last = Json.list(fanout.get("lastMemberMs"));
        List<?> median = Json.list(fanout.get("medianMemberMs"));
        for (int i = 0; i < last.size() && i < median.size(); i++) {
            points.add(Map.of("trial", i + 1, "last", last.get(i), "median", median.get(i)));
        }
        series(chart, "last member has it", points, "trial", "last", new Look(BLUE, SOLID, SeriesMarkers.SQUARE));
        series(chart, "median member has it", points, "trial", "median", new Look(GREEN, DASHED, SeriesMarkers.CROSS));
        return save(chart, dir, name);
    }

    static String rebuild(Map<String, Object> rebuild, Path dir, String name) {
        XYChart chart = chart("Projection rebuild (conversation-projection), " + rebuild.get("events") + " events",
                "seconds", "events/s");
        series(chart, "events/s", Json.list(rebuild.get("progress")), "t", "eventsPerSecond",
                new Look(BLUE, SOLID, SeriesMarkers.CIRCLE));
        return save(chart, dir, name);
    }

    static String longConversation(Map<String, Map<String, Object>> runs, Path dir, String name) {
        XYChart chart = chart("SendMessage command latency along one conversation", "message number in the conversation",
                "command latency (ms)");
        int[] i = {0};
        runs.forEach((label, run) -> {
            Color color = PALETTE[i[0]++ % PALETTE.length];
            series(chart, label + " p50", Json.list(run.get("blocks")), "upToMessage", "p50Ms",
                    new Look(color, SOLID, SeriesMarkers.CIRCLE));
            series(chart, label + " p99", Json.list(run.get("blocks")), "upToMessage", "p99Ms",
                    new Look(color, DASHED, SeriesMarkers.CROSS));
        });
        chart.getStyler().setYAxisLogarithmic(true);
        return save(chart, dir, name);
    }
}
