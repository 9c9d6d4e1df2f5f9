package io.parley.push.docs;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Publishes the client contract: {@code GET /api/docs/openapi.yaml} (HTTP, OpenAPI 3.0) and
 * {@code GET /api/docs/asyncapi.yaml} (the {@code /ws} socket, AsyncAPI 2.6), and {@code GET /api/docs}, a JSON index
 * of the two. Public: the authentication filter lets {@code GET /api/docs/**} through.
 * <p>
 * The documents live in {@code classpath:/static/api/docs/}, where the static resource handler would serve them too,
 * but as {@code application/octet-stream} (Spring's MIME table has no entry for {@code .yaml}), which browsers download
 * instead of showing. These routes come first (router functions are mapped before static resources) and answer
 * {@code application/yaml}. The files are read once, at start.
 */
@Configuration(proxyBeanMethods = false)
class ProtocolDocs {

    static final String LOCATION = "static/api/docs/";
    static final MediaType YAML = new MediaType("application", "yaml", StandardCharsets.UTF_8);

    /** Index key → file name under {@link #LOCATION} and {@code /api/docs/}. */
    private static final Map<String, String> DOCUMENTS = Map.of(
            "openapi", "openapi.yaml",
            "asyncapi", "asyncapi.yaml");

    @Bean
    RouterFunction<ServerResponse> protocolDocsRoutes() {
        Map<String, String> index = new LinkedHashMap<>();
        RouterFunctions.Builder routes = RouterFunctions.route();
        DOCUMENTS.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(document -> {
            String path = "/api/docs/" + document.getValue();
            String text = read(LOCATION + document.getValue());
            index.put(document.getKey(), path);
            routes.route(readOnly(path), request -> ServerResponse.ok()
                    .contentType(YAML)
                    .cacheControl(CacheControl.noCache())
                    .bodyValue(text));
        });
        Map<String, String> links = Map.copyOf(index);
        routes.route(readOnly("/api/docs"), request -> ServerResponse.ok()
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(links));
        return routes.build();
    }

    private static RequestPredicate readOnly(String path) {
        return RequestPredicates.path(path)
                .and(RequestPredicates.method(HttpMethod.GET).or(RequestPredicates.method(HttpMethod.HEAD)));
    }

    private static String read(String location) {
        try (InputStream in = new ClassPathResource(location).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("the protocol document " + location + " is missing from the classpath", e);
        }
    }
}
