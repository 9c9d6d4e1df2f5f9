package io.parley.push.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Answers failures that no controller advice saw (404 for an unknown path, 405, 415, an oversized body, an error in
 * a filter) with the same {@code {"code","message"}} body instead of Boot's default error map. Ordered before Boot's
 * {@code DefaultErrorWebExceptionHandler} (order -1).
 */
@Component
@Order(JsonErrorWebExceptionHandler.ORDER)
class JsonErrorWebExceptionHandler implements WebExceptionHandler {

    static final int ORDER = -2;

    private final ObjectMapper json;

    JsonErrorWebExceptionHandler(ObjectProvider<ObjectMapper> objectMapper) {
        this.json = objectMapper.getIfAvailable(ObjectMapper::new);
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(error); // too late to answer; let the server close the connection
        }
        return ErrorResponses.write(exchange, error, json);
    }
}
