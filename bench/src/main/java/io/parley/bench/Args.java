package io.parley.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --name=value} arguments with defaults; {@code --flag} alone means {@code true}. */
public final class Args {

    private final Map<String, String> values = new LinkedHashMap<>();

    public Args(String[] args) {
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("arguments are --name=value, not '" + arg + "'");
            }
            int eq = arg.indexOf('=');
            if (eq < 0) {
                values.put(arg.substring(2), "true");
            } else {
                values.put(arg.substring(2, eq), arg.substring(eq + 1));
            }
        }
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public String required(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    public int integer(String name, int fallback) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name).replace("_", "")) : fallback;
    }

    public long number(String name, long fallback) {
        return values.containsKey(name) ? Long.parseLong(values.get(name).replace("_", "")) : fallback;
    }

    public List<Integer> integers(String name, List<Integer> fallback) {
        if (!values.containsKey(name)) {
            return fallback;
        }
        return Arrays.stream(values.get(name).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> Integer.parseInt(s.replace("_", ""))).toList();
    }

    public List<String> words(String name, List<String> fallback) {
        if (!values.containsKey(name)) {
            return fallback;
        }
        return Arrays.stream(values.get(name).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public Map<String, String> all() {
        return Map.copyOf(values);
    }
}
