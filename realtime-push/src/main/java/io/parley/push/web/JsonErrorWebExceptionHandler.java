package io.parley.push.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;

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
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(error); // too late to answer; let the server close the connection
        }
        ErrorResponses.Answer answer = ErrorResponses.answer(error, exchange.getRequest());
        byte[] body;
        try {
            body = json.writeValueAsBytes(answer.body());
        } catch (JsonProcessingException e) {
            body = "{\"code\":\"INTERNAL\",\"message\":\"internal error\"}".getBytes(StandardCharsets.UTF_8);
        }
        response.setStatusCode(answer.status());
        response.getHeaders().putAll(answer.headers());
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().setContentLength(body.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }
}
