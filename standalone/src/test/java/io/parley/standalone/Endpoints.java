package io.parley.standalone;

import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.util.pattern.PathPattern;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP endpoints of a running Parley, read from the application itself (the annotated controllers'
 * {@link RequestMappingHandlerMapping} by its name: Actuator adds a second one of that type), so that tests iterating over them cannot miss one added later.
 */
final class Endpoints {

    private static final Pattern VARIABLE = Pattern.compile("\\{([^}/]+)}");

    /** One method and path pattern, e.g. {@code DELETE /api/conversations/{id}/members/{userId}}. */
    record Endpoint(String method, String pattern) {

        /** The variables of the pattern, in order. */
        List<String> variables() {
            List<String> names = new ArrayList<>();
            Matcher matcher = VARIABLE.matcher(pattern);
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
            return names;
        }

        /** The path with each variable replaced by {@code values.apply(name)}, percent-encoded as a path segment. */
        String path(Function<String, String> values) {
            Matcher matcher = VARIABLE.matcher(pattern);
            StringBuilder path = new StringBuilder();
            while (matcher.find()) {
                String value = values.apply(matcher.group(1));
                if (value == null) {
                    throw new AssertionError("no value for {" + matcher.group(1) + "} of " + this
                            + ": teach the test what to put there");
                }
                matcher.appendReplacement(path, Matcher.quoteReplacement(segment(value)));
            }
            matcher.appendTail(path);
            return path.toString();
        }

        String path(Map<String, String> values) {
            return path(values::get);
        }

        @Override
        public String toString() {
            return method + " " + pattern;
        }
    }

    private Endpoints() {
    }

    /** Every method × pattern the annotated controllers answer, sorted. */
    static List<Endpoint> of(RunningParley parley) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (RequestMappingInfo info : parley.bean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class).getHandlerMethods().keySet()) {
            List<String> methods = info.getMethodsCondition().getMethods().stream().map(RequestMethod::name).toList();
            if (methods.isEmpty()) {
                methods = List.of("GET", "POST", "PUT", "PATCH", "DELETE"); // a mapping without a method takes any
            }
            for (PathPattern pattern : info.getPatternsCondition().getPatterns()) {
                for (String method : methods) {
                    endpoints.add(new Endpoint(method, pattern.getPatternString()));
                }
            }
        }
        endpoints.sort(Comparator.comparing(Endpoint::pattern).thenComparing(Endpoint::method));
        return endpoints;
    }

    /** The request predicates of the functional routes (router functions), as text, e.g. for the public docs. */
    static List<String> functionalRoutes(RunningParley parley) {
        List<String> routes = new ArrayList<>();
        // Every RouterFunctionMapping (Boot adds one for the welcome page), reached through the context.
        Map<String, RouterFunctionMapping> mappings = parley.bean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class)
                .getApplicationContext().getBeansOfType(RouterFunctionMapping.class);
        for (RouterFunctionMapping mapping : mappings.values()) {
            RouterFunction<?> root = mapping.getRouterFunction();
            if (root != null) {
                visit(root, routes);
            }
        }
        return routes;
    }

    private static void visit(RouterFunction<?> root, List<String> routes) {
        root.accept(new RouterFunctions.Visitor() {
            @Override
            public void startNested(RequestPredicate predicate) {
            }

            @Override
            public void endNested(RequestPredicate predicate) {
            }

            @Override
            public void route(RequestPredicate predicate, HandlerFunction<?> handlerFunction) {
                routes.add(predicate.toString());
            }

            @Override
            public void resources(Function<org.springframework.web.reactive.function.server.ServerRequest,
                    reactor.core.publisher.Mono<org.springframework.core.io.Resource>> lookupFunction) {
                routes.add("resources " + lookupFunction);
            }

            @Override
            public void attributes(Map<String, Object> attributes) {
            }

            @Override
            public void unknown(RouterFunction<?> routerFunction) {
                routes.add("unknown " + routerFunction);
            }
        });
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
