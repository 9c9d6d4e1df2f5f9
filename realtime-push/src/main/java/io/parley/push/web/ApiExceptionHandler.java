package io.parley.push.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Answers every failure of a controller with {@code {"code","message"}} and the matching status (see {@link ErrorCode}).
 * Failures outside controllers (unknown paths, filters) are answered by {@link JsonErrorWebExceptionHandler}.
 * <p>
 * The body is written here rather than returned as a {@code ResponseEntity}: Spring negotiates the content type of
 * a returned entity against the request's {@code Accept}, and when that header cannot even be parsed (e.g.
 * {@code Accept: garbage}) it drops the body of an error answer, leaving a 4xx without its explanation.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class ApiExceptionHandler {

    private final ObjectMapper json;

    ApiExceptionHandler(ObjectProvider<ObjectMapper> objectMapper) {
        this.json = objectMapper.getIfAvailable(ObjectMapper::new);
    }

    @ExceptionHandler(Throwable.class)
    Mono<Void> handle(Throwable error, ServerWebExchange exchange) {
        return ErrorResponses.write(exchange, error, json);
    }
}
