package io.parley.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.Recorder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Latencies are recorded in microseconds into HdrHistogram recorders; figures are reported in milliseconds. */
public final class Latency {

    /** One hour in microseconds: anything longer is clamped (and would be a broken run anyway). */
    public static final long MAX_MICROS = 3_600_000_000L;

    private Latency() {
    }

    public static Recorder recorder() {
        return new Recorder(MAX_MICROS, 3);
    }

    public static Histogram histogram() {
        return new Histogram(MAX_MICROS, 3);
    }

    public static void record(Recorder recorder, long nanos) {
        recorder.recordValue(Math.max(0, Math.min(MAX_MICROS, nanos / 1_000)));
    }

    public static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    /** count, mean, p50, p90, p99, p99.9, max, all in ms. */
    public static Map<String, Object> summary(Histogram h) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("count", h.getTotalCount());
        if (h.getTotalCount() == 0) {
            return s;
        }
        s.put("meanMs", Math.round(h.getMean() / 10.0) / 100.0);
        s.put("p50Ms", ms(h.getValueAtPercentile(50)));
        s.put("p90Ms", ms(h.getValueAtPercentile(90)));
        s.put("p99Ms", ms(h.getValueAtPercentile(99)));
        s.put("p999Ms", ms(h.getValueAtPercentile(99.9)));
        s.put("maxMs", ms(h.getMaxValue()));
        return s;
    }

    /**
     * The percentile curve as [percentile, ms] pairs, the way HdrHistogram's percentile output walks it, up to the
     * largest sample: of n samples that one is 1 in n, so the curve ends at p = 100 (1 - 1/n) (HdrHistogram's walk
     * goes on repeating it at ever higher percentiles, which says nothing about them).
     */
    public static List<double[]> curve(Histogram h) {
        List<double[]> points = new ArrayList<>();
        long n = h.getTotalCount();
        if (n == 0) {
            return points;
        }
        double last = 100.0 * (1 - 1.0 / n);
        for (HistogramIterationValue v : h.percentiles(5)) {
            double p = v.getPercentileLevelIteratedTo();
            if (p >= last) {
                break;
            }
            points.add(new double[]{p, ms(v.getValueIteratedTo())});
        }
        points.add(new double[]{last, ms(h.getMaxValue())});
        return points;
    }
}
