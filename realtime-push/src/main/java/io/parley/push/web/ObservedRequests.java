package io.parley.push.web;

import io.micrometer.observation.ObservationPredicate;
import io.parley.push.EdgePaths;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

/**
 * Which HTTP exchanges the edge observes ({@code http_server_requests_seconds}, and a span each when tracing is on):
 * every one but these two kinds.
 * <ul>
 * <li>A WebSocket's upgrade request ({@link EdgePaths#SOCKET}), an exchange that lasts as long as the socket. Observed
 * like any request, each open socket kept that observation (with its span and active-request sample) and the ones
 * made under it alive for its whole life: most of the 8 KB of heap an idle socket gained with issue 18
 * (docs/benchmark.md). Sockets have meters of their own ({@code parley_sockets_*}).</li>
 * <li>Actuator's endpoints ({@link EdgePaths#ACTUATOR}, the path {@code SecurityConfiguration} guards): a load balancer's
 * health probe every few seconds and a Prometheus scrape every 15 s each made a trace at the sampling probability,
 * burying the messages' traces; their answers are the monitoring, not what is monitored.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class ObservedRequests {

    @Bean
    ObservationPredicate socketsAndActuatorAreNotObserved() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && isUnobserved(request.getCarrier().getPath().pathWithinApplication().value()));
    }

    static boolean isUnobserved(String path) {
        return path.equals(EdgePaths.SOCKET) || path.equals(EdgePaths.ACTUATOR)
                || path.startsWith(EdgePaths.ACTUATOR + "/");
    }
}
