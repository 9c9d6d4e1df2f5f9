package io.parley.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** One scrape of {@code /actuator/prometheus} (the text format), read into samples by their full series name. */
final class Scrape {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final int status;
    final String text;
    private final Map<String, Double> samples = new LinkedHashMap<>();

    private Scrape(int status, String text) {
        this.status = status;
        this.text = text;
    }

    private Map<String, Double> samples() {
        if (samples.isEmpty() && status == 200) {
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    /** GET {@code url} with {@code bearer} (null: anonymous). */
    static Scrape of(String url, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Scrape(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The sum of the samples of metric {@code name} whose labels include every {@code label="value"} given
     * (0 when there is none: a counter not yet incremented may not be exported).
     */
    double value(String name, String... labels) {
        double sum = 0;
        for (Map.Entry<String, Double> sample : samples().entrySet()) {
            String series = sample.getKey();
            int brace = series.indexOf('{');
            String metric = brace < 0 ? series : series.substring(0, brace);
            String labelText = brace < 0 ? "" : series.substring(brace);
            if (metric.equals(name) && Arrays.stream(labels).allMatch(label -> labelText.contains(label))) {
                sum += sample.getValue();
            }
        }
        return sum;
    }

    boolean has(String name) {
        return samples().keySet().stream().anyMatch(series -> series.equals(name) || series.startsWith(name + "{"));
    }

    @Override
    public String toString() {
        return status + " " + (text.length() > 500 ? text.substring(0, 500) + "…" : text);
    }
}
