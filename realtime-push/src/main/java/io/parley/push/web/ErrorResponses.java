package io.parley.push.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.ErrorResponse;

import java.time.Duration;

/** Turns a failure into status, headers and body, the same way for the controller advice and the last-resort handler. */
final class ErrorResponses {

    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

    record Answer(HttpStatus status, HttpHeaders headers, ApiError body) {
    }

    private ErrorResponses() {
    }

    static Answer answer(Throwable error, ServerHttpRequest request) {
        ErrorCode code = ErrorCode.classify(error, false);
        ApiError body = ApiError.of(code, ErrorCode.messageOf(error, code));
        HttpHeaders headers = new HttpHeaders();
        Throwable cause = ErrorCode.unwrap(error);
        if (cause instanceof ErrorResponse response && code != ErrorCode.INTERNAL) {
            headers.addAll(response.getHeaders()); // Allow on 405, Accept on 415
        }
        if (code == ErrorCode.UNAUTHORIZED && !headers.containsKey(HttpHeaders.WWW_AUTHENTICATE)) {
            headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (cause instanceof ApiException api && api.retryAfter() != null) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds(api.retryAfter())));
        }
        // The path only: a socket handshake's query string carries the token.
        String where = request == null ? "?" : request.getMethod() + " " + request.getPath().value();
        if (code == ErrorCode.INTERNAL) {
            log.error("{} failed", where, error);
        } else if (log.isDebugEnabled()) {
            log.debug("{} answered {}: {}", where, code, body.message());
        }
        return new Answer(code.status(), headers, body);
    }

    static long retryAfterSeconds(Duration retryAfter) {
        long seconds = retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }
}
