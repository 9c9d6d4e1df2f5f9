package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.parley.api.conversation.ConversationIds;
import io.parley.standalone.Endpoints.Endpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

import static io.parley.standalone.ParleyClient.json;
import static io.parley.standalone.SocketClient.reply;
import static io.parley.standalone.SocketClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Every HTTP endpoint of the edge (read from the running application, so a new one cannot escape) and every socket
 * frame that names a conversation (read from the published AsyncAPI document) × {no token, expired, signed with
 * another key, {@code alg: none}, malformed, tampered, valid token of a non-member}: refused with 401 (HTTP and
 * handshake) or 403 / {@code FORBIDDEN} (a non-member), and the refusal tells nothing about the conversation.
 * <p>
 * The server is started with a known signing key, so the test can forge tokens exactly as an attacker who got hold
 * of an expired one would have them. Positive controls (the same requests with a valid member's token succeed;
 * a token the test signs with the server's key for the right user is accepted) show that every refusal is due to
 * the token or the membership and not to a request the test got wrong.
 */
class AuthorizationMatrixTest {

    /**
     * Public by contract (PROTOCOL.md): registering and logging in need no token. {@code GET /api/docs/**} (the
     * published protocol) is public too; it is a functional route, not in the annotated mappings, and
     * {@link #theEndpointsAreReadFromTheApplicationAndTheExclusionsAreExact()} checks that the functional routes are
     * nothing but those documents. The local media driver's signed URLs ({@code /media/files/...}) take no token:
     * their HMAC signature is the authority, which {@code MediaStoreContract} and {@code MediaStoryTest} check.
     */
    private static final Set<String> PUBLIC = Set.of("POST /api/users", "POST /api/sessions",
            "PUT /media/files/{*key}", "GET /media/files/{*key}");

    /** Bad credentials; every token one (but NONE) carries the claims of alice, a member and the owner. */
    enum BadToken { NONE, EXPIRED, OTHER_KEY, ALG_NONE, MALFORMED, TAMPERED }

    private static final int MESSAGES = 13; // a distinctive last seq: a refusal must not tell it
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    static byte[] serverKey;
    static RunningParley parley;
    static ParleyClient alice;
    static ParleyClient bob;
    static ParleyClient carol;
    static ParleyClient mallory;
    static String groupName;
    static String group;
    static String direct;
    /** What a non-member must never learn, per conversation: texts, message ids, member ids and names. */
    static final Map<String, List<String>> secrets = new LinkedHashMap<>();
    static List<Endpoint> endpoints;
    /** A finished upload of alice's, for the media endpoints. */
    static String media;

    @BeforeAll
    static void boot() throws Exception {
        serverKey = new byte[48];
        new SecureRandom().nextBytes(serverKey);
        parley = RunningParley.start(Files.createTempDirectory("parley-authz"),
                "parley.auth.jwt-secret=" + Base64.getEncoder().encodeToString(serverKey),
                // the matrix makes a few hundred calls in seconds; it is not about rate limits
                "parley.limits.http-per-second=10000", "parley.limits.http-burst=10000");
        alice = ParleyClient.signUp(parley, "alicematrix");
        bob = ParleyClient.signUp(parley, "bobmatrix");
        carol = ParleyClient.signUp(parley, "carolmatrix");
        mallory = ParleyClient.signUp(parley, "mallorymatrix");
        groupName = "Secret circle " + UUID.randomUUID();
        group = createGroup(groupName);
        direct = alice.openDirectWith(bob);
        for (String conversation : List.of(group, direct)) {
            List<String> known = new ArrayList<>(List.of(alice.userId, bob.userId, alice.username, bob.username,
                    "alicematrix", "bobmatrix", groupName));
            for (int i = 1; i <= MESSAGES; i++) {
                ParleyClient sender = i % 2 == 1 ? alice : bob;
                String text = "secret " + i + " " + UUID.randomUUID();
                ParleyClient.Response sent = sender.call("POST", "/api/conversations/" + conversation + "/messages",
                        json("clientMsgId", "setup-" + i, "text", text));
                assertThat(sent.status()).as("setup send %s", sent).isEqualTo(201);
                known.add(text);
                known.add(sent.body().get("messageId").asText());
            }
            assertThat(bob.call("POST", "/api/conversations/" + conversation + "/read", json("upToSeq", 5)).status())
                    .isEqualTo(204);
            secrets.put(conversation, known);
            // the read model follows the event store a moment later: start the matrix from the settled state
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> {
                ParleyClient.Response page = alice.call("GET", "/api/conversations/" + conversation + "/messages",
                        null);
                return page.status() == 200 && page.body().get("messages").size() == MESSAGES;
            });
        }
        media = MediaStoryTest.upload(alice, "probe.txt", "text/plain",
                "probe".getBytes(StandardCharsets.UTF_8), parley).get("mediaId").asText();
        endpoints = Endpoints.of(parley);
    }

    @AfterAll
    static void stop() {
        if (parley != null) {
            parley.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ HTTP

    @Test
    void theEndpointsAreReadFromTheApplicationAndTheExclusionsAreExact() {
        Set<String> found = new TreeSet<>();
        endpoints.forEach(endpoint -> found.add(endpoint.toString()));
        assertThat(found).as("the public exclusions must name real endpoints").containsAll(PUBLIC);
        assertThat(found).as("the endpoints of PROTOCOL.md, found at run time").contains(
                "GET /api/users/{userId}", "POST /api/conversations/direct", "POST /api/conversations/groups",
                "POST /api/conversations/{id}/members", "DELETE /api/conversations/{id}/members/{userId}",
                "GET /api/conversations", "GET /api/conversations/{id}/messages",
                "POST /api/conversations/{id}/messages", "POST /api/conversations/{id}/read");
        assertThat(protectedEndpoints()).hasSizeGreaterThanOrEqualTo(12);
        assertThat(Endpoints.functionalRoutes(parley))
                .as("functional routes under /api are only the public protocol documents (the welcome page of the "
                        + "web client is outside /api); any other would escape the matrix")
                .anySatisfy(route -> assertThat(route).contains("/api/docs"))
                .allSatisfy(route -> assertThat(!route.contains("/api") || route.contains("/api/docs"))
                        .as(route).isTrue());
    }

    @Test
    void theTestForgesTokensWithTheServersKey() {
        // Without this, EXPIRED would be refused for the wrong reason and prove nothing.
        String valid = sign(serverKey, claimsOf(alice, Instant.now().plusSeconds(600)));
        ParleyClient.Response response = alice.call("GET", "/api/conversations", null, valid);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().toString()).contains(group);
        assertThat(SocketClient.refusal(parley.ws(), "Bearer " + valid)).isNull();
    }

    @ParameterizedTest
    @EnumSource(BadToken.class)
    void everyProtectedEndpointRefusesABadTokenWith401(BadToken kind) {
        String token = token(kind);
        List<String> failures = new ArrayList<>();
        for (Endpoint endpoint : protectedEndpoints()) {
            for (String conversation : List.of(group, direct)) {
                Answer answer = call(endpoint, conversation, token);
                check(failures, endpoint + " with " + kind, answer.status() == 401,
                        "expected 401, got " + answer);
                checkErrorBody(failures, endpoint + " with " + kind, answer, "UNAUTHORIZED", conversation);
            }
        }
        assertThat(failures).as("refusals of a %s token", kind).isEmpty();
    }

    @Test
    void everyEndpointOfTheMatrixWorksForAMemberWithTheSameRequest() {
        // The positive control: the requests the matrix sends are valid, so its refusals come from the token or the
        // membership alone. Writes run on a fresh group each, so that they can succeed.
        List<String> failures = new ArrayList<>();
        for (Endpoint endpoint : protectedEndpoints()) {
            if (isOperatorOnly(endpoint)) {
                continue; // needs the ADMIN role, which alice lacks; the matrix checks that a plain user is refused
            }
            String conversation = group;
            if (isConversationScoped(endpoint)) {
                conversation = createGroup("Control " + UUID.randomUUID());
                ParleyClient.Response first = alice.call("POST", "/api/conversations/" + conversation + "/messages",
                        json("clientMsgId", "control-1", "text", "control message"));
                assertThat(first.status()).isEqualTo(201);
                // Reads check membership against the read side, which follows the events a moment later: right
                // after creating a group its owner may briefly be told 403 (reported; eventual consistency).
                String created = conversation;
                await().atMost(Duration.ofSeconds(10)).until(() -> alice.call("GET",
                        "/api/conversations/" + created + "/messages", null).status() == 200);
            }
            Answer answer = call(endpoint, conversation, alice.token);
            check(failures, endpoint.toString(), answer.status() >= 200 && answer.status() < 300,
                    "a member's call failed: " + answer);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void aNonMemberIsForbiddenOnEveryConversationEndpointAndLearnsNothing() {
        List<String> failures = new ArrayList<>();
        int scoped = 0;
        for (String conversation : List.of(group, direct)) {
            for (Endpoint endpoint : protectedEndpoints()) {
                Answer answer = call(endpoint, conversation, mallory.token);
                String where = endpoint + " on " + (conversation.equals(group) ? "the group" : "the direct chat");
                if (isConversationScoped(endpoint)) {
                    scoped++;
                    check(failures, where, answer.status() == 403, "expected 403, got " + answer);
                    checkErrorBody(failures, where, answer, "FORBIDDEN", conversation);
                } else if (isOperatorOnly(endpoint)) {
                    check(failures, where, answer.status() == 403, "a plain user must be refused, got " + answer);
                    checkErrorBody(failures, where, answer, "FORBIDDEN", conversation);
                } else {
                    // Not about one conversation (the caller's own list, a profile, a new conversation of its own):
                    // allowed, but nothing of alice and bob's conversations may show.
                    check(failures, where, answer.status() < 500, "server error " + answer);
                    checkNoConversationContent(failures, where, answer.body(), conversation);
                }
            }
        }
        assertThat(scoped).as("conversation-scoped calls made").isGreaterThanOrEqualTo(14);
        assertThat(failures).isEmpty();
        // Adding oneself is the most tempting write of all.
        ParleyClient.Response selfAdd = mallory.call("POST", "/api/conversations/" + group + "/members",
                json("userId", mallory.userId));
        assertThat(selfAdd.status()).isEqualTo(403);
        assertConversationsUntouched();
    }

    @Test
    void aNonMemberCannotTellAConversationThatExistsFromOneThatDoesNot() {
        // Direct conversation ids follow from the two user ids, which are public: telling an existing one from a
        // missing one would tell who talks to whom. Every answer must be the same for both.
        Map<String, String> twins = Map.of(
                group, ConversationIds.newGroup(),
                direct, ConversationIds.direct(carol.userId, bob.userId)); // carol and bob never talked
        List<String> failures = new ArrayList<>();
        twins.forEach((real, missing) -> {
            for (Endpoint endpoint : protectedEndpoints()) {
                if (isConversationScoped(endpoint)) {
                    Answer toReal = call(endpoint, real, mallory.token);
                    Answer toMissing = call(endpoint, missing, mallory.token);
                    check(failures, endpoint.toString(), toReal.equals(toMissing),
                            "existing " + toReal + " but missing " + toMissing);
                }
            }
        });
        assertThat(failures).isEmpty();
        try (SocketClient socket = mallory.connect(parley)) {
            int n = 0;
            for (Map.Entry<String, String> twin : twins.entrySet()) {
                for (ObjectNode template : conversationFrames()) {
                    List<String> answers = new ArrayList<>();
                    for (String conversation : List.of(twin.getKey(), twin.getValue())) {
                        String id = "twin-" + (++n);
                        ObjectNode frame = template.deepCopy();
                        frame.put("id", id);
                        frame.put("conversationId", conversation);
                        socket.send(frame);
                        JsonNode error = socket.await(reply("error", id));
                        answers.add(error.get("code").asText() + " " + error.get("message").asText());
                    }
                    assertThat(answers.get(1)).as("%s to an existing and a missing conversation", template)
                            .isEqualTo(answers.get(0));
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ WebSocket

    @ParameterizedTest
    @EnumSource(BadToken.class)
    void theHandshakeRefusesABadTokenWith401InTheHeaderAndInTheQuery(BadToken kind) {
        String token = token(kind);
        Throwable byHeader = SocketClient.refusal(parley.ws(), token == null ? null : "Bearer " + token);
        assertRefused401(kind + " in the Authorization header", byHeader);
        String query = token == null ? "" : "?access_token=" + Endpoints.segment(token);
        Throwable byQuery = SocketClient.refusal(parley.ws() + query, null);
        assertRefused401(kind + " in access_token", byQuery);
        if (token != null) {
            // both at once: a bad header is not rescued by anything
            assertRefused401(kind + " in both", SocketClient.refusal(parley.ws() + query, "Bearer " + token));
        }
    }

    @Test
    void aNonMembersConversationFramesAreForbiddenTheSocketStaysOpenAndMembersSeeNothing() {
        List<ObjectNode> templates = conversationFrames();
        assertThat(templates).extracting(frame -> frame.get("type").asText())
                .as("client frames naming a conversation, from asyncapi.yaml")
                .contains("send", "delivered", "read", "edit", "delete", "typing");
        try (SocketClient aliceSocket = alice.connect(parley);
             SocketClient bobSocket = bob.connect(parley);
             SocketClient socket = mallory.connect(parley)) {
            int n = 0;
            for (String conversation : List.of(group, direct)) {
                for (ObjectNode template : templates) {
                    String id = "nm-" + (++n);
                    ObjectNode frame = template.deepCopy();
                    frame.put("id", id);
                    frame.put("conversationId", conversation);
                    int mark = socket.receivedCount();
                    socket.send(frame);
                    JsonNode error = socket.await(reply("error", id));
                    assertThat(error.get("code").asText()).as("%s", frame).isEqualTo("FORBIDDEN");
                    assertThat(fieldNames(error)).as("%s", error).containsExactlyInAnyOrder("type", "id", "code", "message");
                    assertStillOpen(socket);
                    for (JsonNode received : socket.receivedSince(mark)) {
                        assertNoSecret(frame + " answered " + received, received.toString(), conversation);
                    }
                }
            }
            // sync naming both conversations: FORBIDDEN like every other frame, and nothing of either
            socket.send(json("type", "sync", "id", "nm-sync", "since", Map.of(group, 0, direct, 0)));
            JsonNode refused = socket.await(reply("error", "nm-sync").or(reply("synced", "nm-sync")));
            assertThat(refused.path("code").asText()).as("%s", refused).isEqualTo("FORBIDDEN");
            assertStillOpen(socket);
            for (JsonNode received : socket.receivedSince(0)) {
                assertThat(received.path("type").asText()).as("%s", received)
                        .isNotIn("message", "message_updated", "receipt", "typing", "member");
                assertNoSecret("sync answered " + received, received.toString(), group);
                assertNoSecret("sync answered " + received, received.toString(), direct);
            }
            // and the members heard nothing from mallory
            for (SocketClient member : List.of(aliceSocket, bobSocket)) {
                assertStillOpen(member);
                assertThat(member.frames(frame -> frame.toString().contains(mallory.userId)
                        && !"presence".equals(frame.path("type").asText())))
                        .as("frames caused by the non-member").isEmpty();
            }
        }
        assertConversationsUntouched();
    }

    // ------------------------------------------------------------------------------------------------ the matrix

    private static List<Endpoint> protectedEndpoints() {
        return endpoints.stream().filter(endpoint -> !PUBLIC.contains(endpoint.toString())).toList();
    }

    /** A call about one conversation: its path names it. */
    private static boolean isConversationScoped(Endpoint endpoint) {
        return endpoint.pattern().startsWith("/api/conversations/{");
    }

    /**
     * Calls a plain user may not make at all: the operator, audit and analytics APIs need a role (ADMIN, AUDITOR,
     * ANALYST, granted by {@code parley.roles.*}; nobody has one here), and a user's own data (e.g. erasing it) is
     * for that user alone. A valid token of anybody else gets 403; the positive control skips them (it would need the
     * role, or would erase a user the matrix still needs).
     */
    private static boolean isOperatorOnly(Endpoint endpoint) {
        String pattern = endpoint.pattern();
        return pattern.startsWith("/api/admin/") || pattern.startsWith("/api/audit/")
                || pattern.startsWith("/api/streams/") || isAnotherUsersData(endpoint);
    }

    /** {@code /api/users/{id}/...}: something of one user's own (the profile {@code /api/users/{userId}} is public). */
    private static boolean isAnotherUsersData(Endpoint endpoint) {
        return endpoint.pattern().matches("/api/users/\\{[^}]+}/.+");
    }

    private record Answer(int status, String body) {
    }

    /** The endpoint with its path variables filled for {@code conversation} and a plausible valid body. */
    private static Answer call(Endpoint endpoint, String conversation, String token) {
        Map<String, String> variables = Map.of(
                // a conversation; under /api/users/ a user: bob, a member, whose data nobody else may touch
                "id", endpoint.pattern().startsWith("/api/users/") ? bob.userId : conversation,
                "userId", bob.userId,  // a member: removing them, or reading their profile
                "seq", "1",
                // one of alice's push targets, registered afresh (the member's DELETE removes it)
                "deviceId", endpoint.pattern().contains("{deviceId}") ? aliceDevice() : "probe",
                "mediaId", media,  // alice's upload: hers to complete and fetch
                "emoji", "\uD83D\uDC4D");
        // A variable the matrix does not know (a new endpoint's) gets a placeholder: tokens are checked first anyway.
        String path = endpoint.path(name -> variables.getOrDefault(name, "probe")) + query(endpoint);
        String body = body(endpoint);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(parley.http() + path))
                .timeout(Duration.ofSeconds(5))
                .method(endpoint.method(), body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.body());
        } catch (Exception e) {
            throw new AssertionError(endpoint + " failed: " + e, e);
        }
    }

    private static String aliceDevice() {
        ParleyClient.Response device = alice.call("POST", "/api/devices",
                json("kind", "webhook", "url", "https://hooks.example.org/" + UUID.randomUUID()));
        assertThat(device.status()).as("%s", device).isEqualTo(201);
        return device.body().get("deviceId").asText();
    }

    private static String query(Endpoint endpoint) {
        return switch (endpoint.toString()) {
            case "GET /api/users" -> "?query=" + bob.username.substring(0, 5);
            case "GET /api/conversations/{id}/messages" -> "?limit=50";
            // words that alice and bob's conversations hold: a non-member must find none of them
            case "GET /api/search" -> "?q=secret";
            default -> "";
        };
    }

    /** A valid body for each endpoint that takes one; an endpoint added later gets {@code {}} until taught here. */
    private static String body(Endpoint endpoint) {
        return switch (endpoint.toString()) {
            case "POST /api/conversations/direct" -> json("userId", carol.userId).toString();
            case "POST /api/conversations/groups" -> json("name", "Probe", "members", List.of(carol.userId)).toString();
            case "POST /api/conversations/{id}/members" -> json("userId", carol.userId).toString();
            case "POST /api/conversations/{id}/messages" ->
                    json("clientMsgId", "m-" + UUID.randomUUID(), "text", "let me in").toString();
            case "PATCH /api/conversations/{id}/messages/{seq}" -> json("text", "edited by someone").toString();
            case "POST /api/conversations/{id}/read" -> json("upToSeq", 1).toString();
            case "POST /api/devices" -> json("kind", "webhook", "url", "https://hooks.example.org/" + UUID.randomUUID())
                    .toString();
            case "POST /api/media/uploads" -> json("name", "probe.txt", "contentType", "text/plain", "size", 5).toString();
            case "POST /api/conversations/{id}/messages/{seq}/reactions" -> json("emoji", "\uD83D\uDC4D").toString();
            default -> switch (endpoint.method()) {
                case "GET", "DELETE", "HEAD", "OPTIONS" -> null;
                default -> "{}";
            };
        };
    }

    // ------------------------------------------------------------------------------------------------ tokens

    private static String token(BadToken kind) {
        Instant now = Instant.now();
        return switch (kind) {
            case NONE -> null;
            case EXPIRED -> sign(serverKey, claimsOf(alice, now.minusSeconds(60)));
            case OTHER_KEY -> {
                byte[] other = new byte[48];
                new SecureRandom().nextBytes(other);
                yield sign(other, claimsOf(alice, now.plusSeconds(600)));
            }
            case ALG_NONE -> base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "."
                    + base64Url(claimsOf(alice, now.plusSeconds(600)).toString()) + ".";
            case MALFORMED -> "eyJhbGciOiJIUzI1NiJ9.not-json-at-all.c2lnbmF0dXJl";
            case TAMPERED -> {
                // mallory's real token with the payload swapped for alice's claims: the signature no longer fits
                String[] parts = mallory.token.split("\\.");
                yield parts[0] + "." + base64Url(claimsOf(alice, now.plusSeconds(600)).toString()) + "." + parts[2];
            }
        };
    }

    private static JWTClaimsSet claimsOf(ParleyClient user, Instant expires) {
        return new JWTClaimsSet.Builder()
                .issuer("parley")
                .subject(user.userId)
                .claim("username", user.username)
                .claim("roles", List.of("USER"))
                .issueTime(Date.from(expires.minus(Duration.ofHours(1))))
                .expirationTime(Date.from(expires))
                .build();
    }

    private static String sign(byte[] key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                    claims);
            jwt.sign(new MACSigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64Url(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------------------------------------ frames

    /**
     * One frame of each client frame type of the published AsyncAPI document whose payload has a
     * {@code conversationId}, with plausible values: seqs 1, strings some text (or the document's example where a
     * pattern fixes their form).
     */
    @SuppressWarnings("unchecked")
    private static List<ObjectNode> conversationFrames() {
        String yaml;
        try {
            yaml = HTTP.send(HttpRequest.newBuilder(URI.create(parley.http() + "/api/docs/asyncapi.yaml")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        Map<String, Object> doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        Map<String, Object> publish = (Map<String, Object>) dig(doc, "channels", "/ws", "publish", "message");
        List<Object> messages = publish.containsKey("oneOf") ? (List<Object>) publish.get("oneOf") : List.of(publish);
        List<ObjectNode> frames = new ArrayList<>();
        for (Object each : messages) {
            Map<String, Object> message = resolve(doc, (Map<String, Object>) each);
            Map<String, Object> payload = resolve(doc, (Map<String, Object>) message.get("payload"));
            Map<String, Object> properties = (Map<String, Object>) payload.get("properties");
            if (properties == null || !properties.containsKey("conversationId")) {
                continue;
            }
            ObjectNode frame = ParleyClient.JSON.createObjectNode();
            properties.forEach((name, schema) -> {
                Map<String, Object> resolved = resolve(doc, (Map<String, Object>) schema);
                if (name.equals("type")) {
                    frame.put("type", String.valueOf(resolved.get("const")));
                } else if ("integer".equals(resolved.get("type"))) {
                    frame.put(name, 1);
                } else if ("string".equals(resolved.get("type"))) {
                    // a string of a given form (a traceparent) takes the document's example: it must be valid
                    List<Object> examples = (List<Object>) resolved.get("examples");
                    frame.put(name, resolved.containsKey("pattern") && examples != null && !examples.isEmpty()
                            ? String.valueOf(examples.get(0)) : "from a non-member");
                }
            });
            frames.add(frame);
        }
        return frames;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> resolve(Map<String, Object> doc, Map<String, Object> node) {
        Object ref = node.get("$ref");
        if (ref == null) {
            return node;
        }
        String[] path = String.valueOf(ref).replaceFirst("^#/", "").split("/");
        return resolve(doc, (Map<String, Object>) dig(doc, path));
    }

    @SuppressWarnings("unchecked")
    private static Object dig(Map<String, Object> doc, String... path) {
        Object current = doc;
        for (String key : path) {
            current = ((Map<String, Object>) current).get(key);
            if (current == null) {
                fail("asyncapi.yaml has no " + String.join(".", path));
            }
        }
        return current;
    }

    // ------------------------------------------------------------------------------------------------ checks

    private static void check(List<String> failures, String where, boolean ok, String problem) {
        if (!ok) {
            failures.add(where + ": " + problem);
        }
    }

    /** The body is exactly {@code {"code","message"}} with the code expected and no secret of the conversation. */
    private static void checkErrorBody(List<String> failures, String where, Answer answer, String code,
                                       String conversation) {
        JsonNode body;
        try {
            body = ParleyClient.JSON.readTree(answer.body());
        } catch (Exception e) {
            failures.add(where + ": body is not JSON: " + answer.body());
            return;
        }
        check(failures, where, body != null && body.isObject()
                && fieldNames(body).equals(Set.of("code", "message")), "body is not {code,message}: " + answer.body());
        check(failures, where, body != null && code.equals(body.path("code").asText()),
                "code is not " + code + ": " + answer.body());
        for (String secret : secrets.get(conversation)) {
            check(failures, where, !answer.body().contains(secret), "the refusal tells '" + secret + "'");
        }
        check(failures, where, !Pattern.compile("(?<![0-9])" + MESSAGES + "(?![0-9])").matcher(answer.body()).find(),
                "the refusal tells the last seq: " + answer.body());
    }

    /** For calls that are not about the conversation: none of its messages, its name or its message ids. */
    private static void checkNoConversationContent(List<String> failures, String where, String body,
                                                   String conversation) {
        for (String secret : secrets.get(conversation)) {
            boolean content = secret.startsWith("secret ") || secret.equals(groupName)
                    || secret.matches("[0-9a-f-]{36}") && !secret.equals(alice.userId) && !secret.equals(bob.userId);
            if (content) {
                check(failures, where, !body.contains(secret), "tells '" + secret + "'");
            }
        }
        check(failures, where, !body.contains(group) && !body.contains(direct), "tells a conversation id: " + body);
    }

    private static void assertNoSecret(String where, String text, String conversation) {
        for (String secret : secrets.get(conversation)) {
            assertThat(text).as(where).doesNotContain(secret);
        }
    }

    private static void assertRefused401(String what, Throwable refusal) {
        assertThat(refusal).as(what + ": the upgrade must be refused").isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) refusal).getResponse().statusCode()).as(what).isEqualTo(401);
    }

    private static void assertStillOpen(SocketClient socket) {
        String id = "alive-" + System.nanoTime();
        socket.send(json("type", "ping", "id", id));
        socket.await(reply("pong", id));
        assertThat(socket.isOpen()).isTrue();
    }

    /** Nothing the non-member tried changed the conversations: same members, same messages, nothing edited. */
    private static void assertConversationsUntouched() {
        for (String conversation : List.of(group, direct)) {
            ParleyClient.Response history = alice.call("GET", "/api/conversations/" + conversation + "/messages",
                    null);
            assertThat(history.status()).isEqualTo(200);
            JsonNode messages = history.body().get("messages");
            assertThat(messages).hasSize(MESSAGES);
            for (JsonNode message : messages) {
                assertThat(message.get("deleted").asBoolean()).as("%s", message).isFalse();
                assertThat(message.get("editedAt").isNull()).as("%s", message).isTrue();
                assertThat(message.get("senderId").asText()).isIn(alice.userId, bob.userId);
                assertThat(secrets.get(conversation)).contains(message.get("text").asText());
            }
            ParleyClient.Response receipts = alice.call("GET", "/api/conversations/" + conversation + "/receipts",
                    null);
            assertThat(receipts.status()).isEqualTo(200);
            assertThat(receipts.body().toString()).doesNotContain(mallory.userId).doesNotContain(carol.userId);
        }
        ParleyClient.Response list = alice.call("GET", "/api/conversations", null);
        for (JsonNode summary : list.body()) {
            if (summary.get("conversationId").asText().equals(group)) {
                assertThat(summary.get("members").toString()).doesNotContain(mallory.userId)
                        .doesNotContain(carol.userId).contains(bob.userId);
            }
        }
        ParleyClient.Response mallorys = mallory.call("GET", "/api/conversations", null);
        assertThat(mallorys.body().toString()).doesNotContain(group).doesNotContain(direct);
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String createGroup(String name) {
        ParleyClient.Response created = alice.call("POST", "/api/conversations/groups",
                json("name", name, "members", List.of(bob.userId)));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        return created.body().get("conversationId").asText();
    }
}
