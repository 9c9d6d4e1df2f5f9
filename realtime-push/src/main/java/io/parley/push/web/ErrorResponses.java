package io.parley.push.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Turns a failure into status, headers and body, the same way for the controller advice, the last-resort handler and
 * the security chain's refusals.
 */
public final class ErrorResponses {

    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

    record Answer(HttpStatus status, HttpHeaders headers, ApiError body) {
    }

    private ErrorResponses() {
    }

    static Answer answer(Throwable error, ServerHttpRequest request) {
        ErrorCode code = ErrorCode.classify(error, false);
        Long retryAfter = ErrorCode.retryAfterSeconds(error, code);
        ApiError body = new ApiError(code.name(), ErrorCode.messageOf(error, code), retryAfter);
        HttpHeaders headers = new HttpHeaders();
        Throwable cause = ErrorCode.unwrap(error);
        if (cause instanceof ErrorResponse response && code != ErrorCode.INTERNAL) {
            headers.addAll(response.getHeaders()); // Allow on 405, Accept on 415
        }
        if (code == ErrorCode.UNAUTHORIZED && !headers.containsKey(HttpHeaders.WWW_AUTHENTICATE)) {
            headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (retryAfter != null) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
        }
        // The path only: a socket handshake's query string carries the token.
        log(request == null ? "?" : request.getMethod() + " " + request.getPath().value(), code, error);
        return new Answer(code.status(), headers, body);
    }

    /**
     * Logs a failure answered with {@code code} ({@code where}: the request's method and path, or the socket frame's
     * type; never a token): an {@code INTERNAL} one at error with its stack trace (nothing else logs it: Axon's own
     * warning of an aggregate it could not load is off, see the standalone application.yml), {@code UNAVAILABLE} at
     * warn, the rest (the client's mistakes) at debug. A socket frame's failure is logged only when {@code INTERNAL}.
     */
    public static void log(String where, ErrorCode code, Throwable error) {
        if (code == ErrorCode.INTERNAL) {
            log.error("{} failed", where, error);
        } else if (code == ErrorCode.UNAVAILABLE) {
            log.warn("{} answered UNAVAILABLE: {}", where, ErrorCode.unwrap(error).toString());
        } else if (log.isDebugEnabled()) {
            log.debug("{} answered {}: {}", where, code, ErrorCode.messageOf(error, code));
        }
    }

    /**
     * Answers {@code error} on {@code exchange}: status, headers and the JSON body, whatever the request accepts. A
     * {@code WWW-Authenticate} challenge the caller already set is kept.
     */
    public static Mono<Void> write(ServerWebExchange exchange, Throwable error, ObjectMapper json) {
        Answer answer = answer(error, exchange.getRequest());
        byte[] body;
        try {
            body = json.writeValueAsBytes(answer.body());
        } catch (JsonProcessingException e) {
            body = "{\"code\":\"INTERNAL\",\"message\":\"internal error\"}".getBytes(StandardCharsets.UTF_8);
        }
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(answer.status());
        String challenge = response.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE);
        response.getHeaders().putAll(answer.headers());
        if (challenge != null && answer.status() == HttpStatus.UNAUTHORIZED) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
        }
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().setContentLength(body.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    static long retryAfterSeconds(Duration retryAfter) {
        long seconds = retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }
}
