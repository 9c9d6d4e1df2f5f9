package io.parley.bench.report;

import java.util.List;
import java.util.Map;

/** Casts for the maps and lists Jackson reads a report into. */
final class Json {

    private Json() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static <T> List<T> list(Object o) {
        return o instanceof List<?> l ? (List<T>) l : List.of();
    }

    static String num(Object o) {
        if (o == null) {
            return "–";
        }
        if (o instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d)) {
                return "–";
            }
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return String.format("%,d", (long) d);
            }
            return Math.abs(d) >= 100 ? String.format("%,.0f", d) : String.format("%.2f", d);
        }
        return o.toString();
    }

    static String at(Map<String, Object> m, String... path) {
        Object o = m;
        for (String key : path) {
            o = map(o).get(key);
        }
        return num(o);
    }

    static double d(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
