package io.parley.standalone;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import io.parley.api.wire.ClientFrame;
import io.parley.api.wire.CloseCodes;
import io.parley.api.wire.ServerFrames;
import io.parley.push.web.ErrorCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.method.HandlerMethod;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The published protocol (OpenAPI for HTTP, AsyncAPI for {@code /ws}) is served publicly and keeps up with the code:
 * an endpoint, a frame type, an error code or a close code added without documenting it fails this test.
 */
class ProtocolDocsTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Set<String> YAML_TYPES = Set.of("application/yaml", "text/yaml", "application/x-yaml");

    /**
     * The client frame types the server reads (PROTOCOL.md plus Parley's edit and delete). The type names of
     * {@link ClientFrame}'s records are added, so a new frame type is noticed without editing this list.
     */
    private static final List<String> CLIENT_FRAMES =
            List.of("send", "delivered", "read", "edit", "delete", "typing", "sync", "ping");

    static RunningParley parley;
    static Map<String, Object> openApi;
    static Map<String, Object> asyncApi;

    @BeforeAll
    static void boot() throws Exception {
        parley = RunningParley.start(Files.createTempDirectory("parley-protocol-docs"));
        openApi = yaml(get("/api/docs/openapi.yaml").body());
        asyncApi = yaml(get("/api/docs/asyncapi.yaml").body());
    }

    @AfterAll
    static void stop() {
        if (parley != null) {
            parley.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ serving

    @Test
    void bothDocumentsAreServedWithoutATokenAsYaml() {
        for (String path : List.of("/api/docs/openapi.yaml", "/api/docs/asyncapi.yaml")) {
            HttpResponse<String> response = get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            assertThat(contentType.split(";")[0].trim().toLowerCase(Locale.ROOT)).as(path + " content type")
                    .isIn(YAML_TYPES);
            assertThat(yaml(response.body())).as(path).isNotEmpty();
        }
        assertThat(openApi.get("openapi")).isEqualTo("3.0.3");
        assertThat(asyncApi.get("asyncapi")).isEqualTo("2.6.0");
    }

    @Test
    void theIndexLinksToBothDocuments() throws Exception {
        HttpResponse<String> index = get("/api/docs");
        assertThat(index.statusCode()).isEqualTo(200);
        Map<String, Object> links = yaml(index.body()); // JSON is YAML
        assertThat(links).containsEntry("openapi", "/api/docs/openapi.yaml")
                .containsEntry("asyncapi", "/api/docs/asyncapi.yaml");
    }

    // ------------------------------------------------------------------------------------------------ HTTP

    @Test
    void everyRouteOfTheEdgeIsInTheOpenApiDocument() {
        Set<String> routes = routesOfTheEdge();
        assertThat(routes).as("routes found in the application")
                .contains("post /api/users", "get /api/conversations/{}/messages");
        Set<String> documented = documentedOperations();
        List<String> missing = routes.stream().filter(route -> !documented.contains(route)).toList();
        assertThat(missing).as("routes of the edge missing from openapi.yaml").isEmpty();
    }

    @Test
    void everyDocumentedApiOperationExists() {
        Set<String> routes = routesOfTheEdge();
        List<String> stale = documentedOperations().stream()
                .filter(operation -> !operation.contains(" /api/docs")) // served by a router function, checked above
                .filter(operation -> !routes.contains(operation))
                .toList();
        assertThat(stale).as("operations in openapi.yaml that the application does not have").isEmpty();
    }

    @Test
    void everyOpenApiErrorAnswerHasTheErrorBodyAndProtectedCallsDocument401() {
        Map<String, Object> paths = map(openApi.get("paths"));
        List<String> problems = new ArrayList<>();
        boolean securedByDefault = openApi.get("security") instanceof List<?> list && !list.isEmpty();
        paths.forEach((path, item) -> map(item).forEach((method, op) -> {
            if (!isHttpMethod(method)) {
                return;
            }
            Map<String, Object> operation = map(op);
            Map<String, Object> responses = map(operation.get("responses"));
            responses.forEach((status, response) -> {
                if (status.startsWith("4") || status.startsWith("5")) {
                    Map<String, Object> resolved = resolve(openApi, map(response));
                    Object schema = dig(resolved, "content", "application/json", "schema", "$ref");
                    if (!"#/components/schemas/Error".equals(schema)) {
                        problems.add(method + " " + path + " " + status + " has no {code,message} body");
                    }
                }
            });
            Object security = operation.containsKey("security") ? operation.get("security")
                    : (securedByDefault ? List.of("default") : List.of());
            boolean secured = security instanceof List<?> list && !list.isEmpty();
            if (secured && !responses.containsKey("401")) {
                problems.add(method + " " + path + " needs a token but documents no 401");
            }
        }));
        assertThat(problems).isEmpty();
    }

    @Test
    void theOpenApiErrorCodesAreTheOnesHttpAnswers() {
        Set<String> httpCodes = new TreeSet<>();
        for (ErrorCode code : ErrorCode.values()) {
            if (code != ErrorCode.BAD_FRAME) { // on HTTP, bad input is BAD_REQUEST
                httpCodes.add(code.name());
            }
        }
        Object documented = dig(openApi, "components", "schemas", "Error", "properties", "code", "enum");
        assertThat(new TreeSet<>(strings(documented))).isEqualTo(httpCodes);
    }

    // ------------------------------------------------------------------------------------------------ socket

    @Test
    void everyClientFrameIsAPublishMessageOfTheSocketDocument() {
        Set<String> documented = frameTypes("publish");
        assertThat(documented).as("client frames in asyncapi.yaml").containsAll(clientFrameTypes());
        assertThat(clientFrameTypes()).as("documented client frames FrameHandler does not accept")
                .containsAll(documented);
    }

    @Test
    void everyServerFrameIsASubscribeMessageOfTheSocketDocument() {
        Set<String> serverFrames = serverFrameTypes();
        assertThat(serverFrames).as("frame types found in ServerFrames")
                .contains("ack", "message", "message_updated", "receipt", "error", "synced", "pong");
        Set<String> documented = frameTypes("subscribe");
        assertThat(documented).as("server frames in asyncapi.yaml").containsAll(serverFrames);
        assertThat(serverFrames).as("documented server frames ServerFrames does not have").containsAll(documented);
    }

    @Test
    void theSocketDocumentHasEveryErrorCodeAndCloseCode() throws Exception {
        Set<String> socketCodes = new TreeSet<>();
        for (ErrorCode code : ErrorCode.values()) {
            if (code.isSocketCode()) {
                socketCodes.add(code.name());
            }
        }
        Object documented = dig(asyncApi, "components", "schemas", "ErrorFrame", "properties", "code", "enum");
        assertThat(new TreeSet<>(strings(documented))).isEqualTo(socketCodes);

        String description = String.valueOf(dig(asyncApi, "info", "description"));
        List<String> missing = new ArrayList<>();
        for (String code : socketCodes) {
            expect(description, "| `" + code + "` |", "a row saying when " + code + " occurs", missing);
        }
        for (var field : CloseCodes.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
                expect(description, "| `" + field.getInt(null) + "` |", "a row for close code " + field.getName(),
                        missing);
            }
        }
        expect(description, "| `1009` |", "a row for the close above the hard frame limit", missing);
        for (String topic : List.of("access_token", "Authorization", "401", "1,024", "sync-grace",
                "(conversationId, seq)", "TOO_LARGE", "64 KiB")) {
            expect(description, topic, "a mention of " + topic, missing);
        }
        assertThat(missing).as("missing from the description of asyncapi.yaml").isEmpty();
    }

    private static void expect(String text, String needle, String what, List<String> missing) {
        if (!text.contains(needle)) {
            missing.add(what);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** "method /path" of every annotated route of Parley's controllers, path variables written {}. */
    private static Set<String> routesOfTheEdge() {
        Map<RequestMappingInfo, HandlerMethod> handlers = parley.bean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class)
                .getHandlerMethods();
        Set<String> routes = new TreeSet<>();
        handlers.forEach((info, handler) -> {
            if (!handler.getBeanType().getName().startsWith("io.parley.")) {
                return;
            }
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            if (methods.isEmpty()) {
                fail(handler + " answers every HTTP method; map it with @GetMapping, @PostMapping, ...");
            }
            info.getPatternsCondition().getPatterns().forEach(pattern -> methods.forEach(method ->
                    routes.add(method.name().toLowerCase(Locale.ROOT) + " " + normalise(pattern.getPatternString()))));
        });
        return routes;
    }

    /** "method /path" of every operation in openapi.yaml, path variables written {}. */
    private static Set<String> documentedOperations() {
        Set<String> operations = new TreeSet<>();
        map(openApi.get("paths")).forEach((path, item) -> map(item).keySet().stream()
                .filter(ProtocolDocsTest::isHttpMethod)
                .forEach(method -> operations.add(method.toLowerCase(Locale.ROOT) + " " + normalise(path))));
        return operations;
    }

    private static boolean isHttpMethod(String key) {
        return Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace").contains(key);
    }

    private static String normalise(String path) {
        String normalised = path.replaceAll("\\{[^}]*}", "{}");
        return normalised.length() > 1 && normalised.endsWith("/")
                ? normalised.substring(0, normalised.length() - 1) : normalised;
    }

    /** The {@code type} constants of the messages of the /ws channel's publish or subscribe operation. */
    private static Set<String> frameTypes(String operation) {
        Map<String, Object> channel = map(dig(asyncApi, "channels", "/ws"));
        Map<String, Object> message = map(dig(channel, operation, "message"));
        List<Object> messages = message.containsKey("oneOf") ? list(message.get("oneOf")) : List.of(message);
        Set<String> types = new TreeSet<>();
        for (Object each : messages) {
            Map<String, Object> resolved = resolve(asyncApi, map(each));
            Map<String, Object> payload = resolve(asyncApi, map(resolved.get("payload")));
            Map<String, Object> type = map(dig(payload, "properties", "type"));
            if (type.get("const") != null) {
                types.add(String.valueOf(type.get("const")));
            } else {
                types.addAll(strings(type.get("enum")));
            }
        }
        return types;
    }

    private static Set<String> clientFrameTypes() {
        Set<String> types = new TreeSet<>(CLIENT_FRAMES);
        JsonSubTypes subtypes = ClientFrame.class.getAnnotation(JsonSubTypes.class);
        Set<String> found = new TreeSet<>();
        for (JsonSubTypes.Type subtype : subtypes == null ? new JsonSubTypes.Type[0] : subtypes.value()) {
            found.add(subtype.name());
        }
        assertThat(found).as("frame types read from ClientFrame's @JsonSubTypes"
                + " (if frames are no longer read that way, update this test)").isNotEmpty();
        types.addAll(found);
        return types;
    }

    /**
     * The {@code type} of every frame ServerFrames can make: each public static factory (of ServerFrames or of its
     * nested records) that returns a record with a {@code type} component is called with placeholder arguments.
     */
    private static Set<String> serverFrameTypes() {
        List<Method> factories = new ArrayList<>(Arrays.asList(ServerFrames.class.getDeclaredMethods()));
        for (Class<?> nested : ServerFrames.class.getDeclaredClasses()) {
            factories.addAll(Arrays.asList(nested.getDeclaredMethods()));
        }
        Set<String> types = new TreeSet<>();
        for (Method factory : factories) {
            Class<?> result = factory.getReturnType();
            if (!Modifier.isStatic(factory.getModifiers()) || !Modifier.isPublic(factory.getModifiers())
                    || !result.isRecord() || Arrays.stream(result.getRecordComponents())
                    .noneMatch(c -> c.getName().equals("type"))) {
                continue;
            }
            try {
                Object[] args = Arrays.stream(factory.getParameterTypes()).map(ProtocolDocsTest::placeholder).toArray();
                Object frame = factory.invoke(null, args);
                types.add(String.valueOf(result.getMethod("type").invoke(frame)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("could not call " + factory, e);
            }
        }
        return types;
    }

    private static Object placeholder(Class<?> type) {
        if (type == String.class) {
            return "x";
        } else if (type == long.class || type == Long.class) {
            return 1L;
        } else if (type == int.class || type == Integer.class) {
            return 1;
        } else if (type == boolean.class || type == Boolean.class) {
            return false;
        } else if (type == Instant.class) {
            return Instant.EPOCH;
        } else if (List.class.isAssignableFrom(type)) {
            return List.of();
        } else if (Map.class.isAssignableFrom(type)) {
            return Map.of();
        } else if (type.isEnum()) {
            return type.getEnumConstants()[0];
        } else if (type.isRecord()) {
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
            try {
                return type.getDeclaredConstructor(types)
                        .newInstance(Arrays.stream(types).map(ProtocolDocsTest::placeholder).toArray());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("could not make a placeholder " + type, e);
            }
        }
        return null;
    }

    private static HttpResponse<String> get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(parley.http() + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> yaml(String text) {
        Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        assertThat(parsed).as("a YAML mapping").isInstanceOf(Map.class);
        return map(parsed);
    }

    /** Follows a local {@code $ref} ("#/a/b") of {@code node}, if it has one. */
    private static Map<String, Object> resolve(Map<String, Object> document, Map<String, Object> node) {
        Map<String, Object> current = node;
        for (int hops = 0; current.get("$ref") instanceof String ref && hops < 10; hops++) {
            assertThat(ref).as("a local reference").startsWith("#/");
            Object target = document;
            for (String segment : ref.substring(2).split("/")) {
                target = map(target).get(segment.replace("~1", "/").replace("~0", "~"));
            }
            assertThat(target).as("target of " + ref).isNotNull();
            current = map(target);
        }
        return current;
    }

    private static Object dig(Object node, String... keys) {
        Object current = node;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return node instanceof Map<?, ?> ? (Map<String, Object>) node : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node) {
        return node instanceof List<?> ? (List<Object>) node : List.of();
    }

    private static List<String> strings(Object node) {
        return list(node).stream().map(String::valueOf).toList();
    }
}
