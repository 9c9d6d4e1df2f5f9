package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A user of Parley over real HTTP: registers, logs in, calls the API with its token. */
final class ParleyClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Response(int status, JsonNode body) {
    }

    final String base;
    final String username;
    String userId;
    String token;

    private ParleyClient(String base, String username) {
        this.base = base;
        this.username = username;
    }

    /** Registers a fresh user (a unique name from {@code prefix}) and logs in. */
    static ParleyClient signUp(RunningParley parley, String prefix) {
        String username = (prefix + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase();
        ParleyClient client = new ParleyClient(parley.http(), username);
        Response created = client.call("POST", "/api/users",
                json("username", username, "password", "correct horse battery", "displayName", prefix));
        if (created.status() != 201) {
            throw new IllegalStateException("registration failed: " + created);
        }
        client.userId = created.body().get("userId").asText();
        client.logIn(parley);
        return client;
    }

    /** Registers a user with exactly this username (for role grants by name) and logs in. */
    static ParleyClient signUpExactly(RunningParley parley, String username) {
        ParleyClient client = new ParleyClient(parley.http(), username);
        Response created = client.call("POST", "/api/users",
                json("username", username, "password", "correct horse battery", "displayName", username));
        if (created.status() != 201) {
            throw new IllegalStateException("registration failed: " + created);
        }
        client.userId = created.body().get("userId").asText();
        client.logIn(parley);
        return client;
    }

    void logIn(RunningParley parley) {
        ParleyClient fresh = new ParleyClient(parley.http(), username);
        Response session = fresh.call("POST", "/api/sessions",
                json("username", username, "password", "correct horse battery"));
        if (session.status() != 200) {
            throw new IllegalStateException("login failed: " + session);
        }
        token = session.body().get("token").asText();
    }

    /** The same user talking to another (restarted) server. */
    ParleyClient on(RunningParley parley) {
        ParleyClient moved = new ParleyClient(parley.http(), username);
        moved.userId = userId;
        moved.token = token;
        return moved;
    }

    String openDirectWith(ParleyClient other) {
        Response response = call("POST", "/api/conversations/direct", json("userId", other.userId));
        if (response.status() != 200) {
            throw new IllegalStateException("open direct failed: " + response);
        }
        return response.body().get("conversationId").asText();
    }

    /** Sends {@code text} to the conversation over HTTP with a fresh {@code clientMsgId}; the answer as it came. */
    Response sendOverHttp(String conversation, String text) {
        return call("POST", "/api/conversations/" + conversation + "/messages",
                json("clientMsgId", UUID.randomUUID().toString(), "text", text));
    }

    Response call(String method, String path, JsonNode body) {
        return call(method, path, body, token);
    }

    Response call(String method, String path, JsonNode body, String bearer) {
        return raw(method, path, body == null ? null : body.toString(), bearer);
    }

    /** A call without a body, with the caller's token and one more header. */
    Response rawWithHeader(String method, String path, String header, String value) {
        return send(method, HttpRequest.newBuilder(URI.create(base + path)).header(header, value), null, token);
    }

    Response raw(String method, String path, String body, String bearer) {
        return send(method, HttpRequest.newBuilder(URI.create(base + path)), body, bearer);
    }

    private Response send(String method, HttpRequest.Builder request, String body, String bearer) {
        request
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode parsed = response.body() == null || response.body().isBlank()
                    ? JSON.nullNode() : JSON.readTree(response.body());
            return new Response(response.statusCode(), parsed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    SocketClient connect(RunningParley parley) {
        return SocketClient.connect(parley.ws(), token);
    }

    /** A socket whose first frame will be a {@code sync} ({@code /ws?resume=true}): live messages wait for it. */
    SocketClient connectToResume(RunningParley parley) {
        return SocketClient.connect(parley.ws() + "?resume=true", token);
    }

    /**
     * Every message of the conversation, oldest first, read page by page ({@code after}, 200 a page); asked again
     * until at least {@code atLeast} are there (the read model may still be catching up, e.g. after a restart), for
     * at most {@code wait}.
     */
    List<JsonNode> fullHistory(String conversation, int atLeast, Duration wait) {
        List<JsonNode> all = new ArrayList<>();
        Awaitility.await().atMost(wait).until(() -> {
            all.clear();
            long after = 0;
            while (true) {
                Response response = call("GET", "/api/conversations/" + conversation + "/messages?after=" + after
                        + "&limit=200", null);
                if (response.status() != 200) {
                    return false;
                }
                JsonNode page = response.body();
                page.get("messages").forEach(all::add);
                if (!page.get("hasMore").asBoolean()) {
                    break;
                }
                after = all.get(all.size() - 1).get("seq").asLong();
            }
            return all.size() >= atLeast;
        });
        return all;
    }

    static ObjectNode json(Object... keysAndValues) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            node.set((String) keysAndValues[i], JSON.valueToTree(keysAndValues[i + 1]));
        }
        return node;
    }
}
