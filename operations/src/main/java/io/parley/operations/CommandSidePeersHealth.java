package io.parley.operations;

import io.parley.distributed.CommandEndpoint;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The command-side nodes a node sends its commands to over HTTP ({@code parley.command-bus=http}), each asked at once
 * for its {@code /internal/health}. UP while at least one answers, with each node's state in the details: commands
 * routed to a node that is down fail with {@code UNAVAILABLE} and a {@code retryAfter}, while the others still work,
 * and taking every edge out of the load balancer for one node of several would turn a partial outage into a full one.
 * DOWN when none answers: then no write can succeed on this node.
 */
class CommandSidePeersHealth extends AbstractHealthIndicator {

    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final List<URI> peers;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();

    /** @param peers the nodes' base URLs, as the command router knows them */
    CommandSidePeersHealth(List<URI> peers) {
        super("the command side cannot be asked");
        this.peers = List.copyOf(peers);
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Map<URI, CompletableFuture<String>> asked = new LinkedHashMap<>();
        for (URI peer : peers) {
            asked.put(peer, ask(peer));
        }
        Map<String, String> states = new LinkedHashMap<>();
        long reachable = 0;
        for (Map.Entry<URI, CompletableFuture<String>> answer : asked.entrySet()) {
            String state = answer.getValue().join();
            states.put(answer.getKey().toString(), state);
            if ("UP".equals(state)) {
                reachable++;
            }
        }
        (reachable > 0 ? builder.up() : builder.down())
                .withDetail("peers", states)
                .withDetail("reachable", reachable + " of " + peers.size());
    }

    private CompletableFuture<String> ask(URI peer) {
        URI base = peer.toString().endsWith("/") ? peer : URI.create(peer + "/");
        HttpRequest request = HttpRequest.newBuilder(base.resolve(CommandEndpoint.HEALTH_PATH)).timeout(TIMEOUT)
                .GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .thenApply(response -> response.statusCode() == 200 ? "UP" : "DOWN: HTTP " + response.statusCode())
                .exceptionally(failure -> "DOWN: " + reason(failure));
    }

    private static String reason(Throwable failure) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " " + message);
    }
}
