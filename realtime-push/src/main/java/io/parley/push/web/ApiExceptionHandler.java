package io.parley.push.web;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebExchange;

/**
 * Answers every failure of a controller with {@code {"code","message"}} and the matching status (see {@link ErrorCode}).
 * Failures outside controllers (unknown paths, filters) are answered by {@link JsonErrorWebExceptionHandler}.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class ApiExceptionHandler {

    @ExceptionHandler(Throwable.class)
    ResponseEntity<ApiError> handle(Throwable error, ServerWebExchange exchange) {
        ErrorResponses.Answer answer = ErrorResponses.answer(error, exchange.getRequest());
        return ResponseEntity.status(answer.status())
                .headers(answer.headers())
                .contentType(MediaType.APPLICATION_JSON)
                .body(answer.body());
    }
}
