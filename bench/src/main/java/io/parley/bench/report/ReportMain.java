package io.parley.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.parley.bench.Args;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Merges the parts the benchmark JVMs wrote ({@code *.part.json}) and {@code environment.txt} into
 * {@code report.json}, and renders {@code report.md} and the PNG plots from it. {@code --out=DIR}.
 */
public final class ReportMain {

    public static void main(String[] argv) throws IOException {
        Path dir = Path.of(new Args(argv).required("out"));
        Map<String, Object> report = merge(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(),
                report);
        Path md = Report.render(report, dir);
        System.out.println("   " + md);
    }

    static Map<String, Object> merge(Path dir) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> environment = new LinkedHashMap<>();
        Path env = dir.resolve("environment.txt");
        if (Files.exists(env)) {
            for (String line : Files.readAllLines(env)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    environment.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        report.put("environment", environment);
        ObjectMapper json = new ObjectMapper();
        List<Path> parts;
        try (Stream<Path> files = Files.list(dir)) {
            parts = files.filter(p -> p.getFileName().toString().endsWith(".part.json")).sorted().toList();
        }
        for (Path part : parts) {
            @SuppressWarnings("unchecked")
            Map<String, Object> content = json.readValue(part.toFile(), Map.class);
            // each fixed-rate run names its part (BENCH_PART), so two parts' runs at one rate stay apart
            String partName = part.getFileName().toString().replace(".part.json", "");
            if (content.get("fixedRate") instanceof List<?> runs) {
                runs.forEach(run -> {
                    if (run instanceof Map<?, ?> fields) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> named = (Map<String, Object>) fields;
                        named.putIfAbsent("part", partName);
                    }
                });
            }
            // several runs into one folder: lists (fixed-rate runs) add up, anything else the later part wins
            content.forEach((key, value) -> report.merge(key, value, (old, add) -> {
                if (old instanceof List<?> a && add instanceof List<?> b) {
                    List<Object> both = new java.util.ArrayList<>(a);
                    both.addAll(b);
                    return both;
                }
                return add;
            }));
        }
        return report;
    }
}
