package io.parley.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** The HTTP calls of PROTOCOL.md the benchmark needs to set itself up (users, sessions, conversations). */
public final class Api implements AutoCloseable {

    /** A registered, logged-in user. */
    public record User(String userId, String username, String token) {
    }

    private final String baseUrl;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final ExecutorService pool;

    public Api(String baseUrl, int concurrency) {
        this.baseUrl = baseUrl;
        this.pool = Executors.newFixedThreadPool(concurrency);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).executor(pool)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    public User registerAndLogin(String username) {
        String password = "bench-password-" + username;
        post("/api/users", null, Map.of("username", username, "password", password, "displayName", username), 201);
        JsonNode session = post("/api/sessions", null, Map.of("username", username, "password", password), 200);
        return new User(session.get("userId").asText(), username, session.get("token").asText());
    }

    /** Registers {@code count} users named {@code prefix + i}, several at a time. */
    public List<User> users(String prefix, int count, int parallel) {
        return parallel(count, parallel, i -> registerAndLogin(prefix + i));
    }

    public String openDirect(User me, User other) {
        return post("/api/conversations/direct", me.token(), Map.of("userId", other.userId()), 200)
                .get("conversationId").asText();
    }

    public String createGroup(User owner, String name, List<String> memberIds) {
        return post("/api/conversations/groups", owner.token(), Map.of("name", name, "members", memberIds), 201)
                .get("conversationId").asText();
    }

    public <T> List<T> parallel(int count, int parallel, IntFunction<T> task) {
        ExecutorService workers = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<T>> futures = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(workers.submit(() -> task.apply(n)));
            }
            List<T> results = new ArrayList<>(count);
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (Exception e) {
            throw new IllegalStateException("set-up call failed: " + e.getMessage(), e);
        } finally {
            workers.shutdownNow();
        }
    }

    private JsonNode post(String path, String token, Object body, int expected) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("POST " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
