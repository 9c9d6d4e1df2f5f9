package io.parley.push.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.parley.api.error.DomainException;
import io.parley.api.error.ErrorDetails;
import io.parley.api.error.ErrorKind;
import io.parley.media.MediaException;
import org.axonframework.commandhandling.NoHandlerForCommandException;
import org.axonframework.commandhandling.distributed.CommandDispatchException;
import org.axonframework.messaging.HandlerExecutionException;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.MethodParameter;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.Exceptions;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * The error codes of the client contract. {@link #name()} is the wire code, in the HTTP body {@code {"code","message"}}
 * and in the socket's {@code error} frame. The socket uses {@code BAD_FRAME, UNAUTHORIZED, FORBIDDEN, NOT_FOUND,
 * TOO_LARGE, RATE_LIMITED, CONFLICT, INTERNAL} (PROTOCOL.md), and UNAVAILABLE (added); HTTP uses the same words but says {@code BAD_REQUEST} for
 * bad input and adds the codes of HTTP's own failures (405, 406, 414, 415, 431).
 * <p>
 * {@link #classify(Throwable, boolean)} and {@link #messageOf(Throwable, ErrorCode)} are the one place that turns a
 * failure into an answer, for the REST advice and the socket handler alike. A command's failure is read from the
 * {@link ErrorDetails} its {@link HandlerExecutionException} carries, the same in one process, over the HTTP command
 * bus and with Axon Server (docs/distributed.md, "Errors keep their meaning"). Failures of this process (the edge's
 * own answers, domain exceptions of the edge and the query handlers, bad input, Spring's statuses) are read from the
 * exception, inside the wrappers of futures and Axon (CompletionException, ExecutionException,
 * QueryExecutionException).
 */
public enum ErrorCode {

    /** Bad input on the socket: an unreadable frame or an invalid command. */
    BAD_FRAME(HttpStatus.BAD_REQUEST, "bad frame"),
    /** Bad input on HTTP: malformed JSON, a missing field, an invalid command. */
    BAD_REQUEST(HttpStatus.BAD_REQUEST, "bad request"),
    UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "unauthorized"),
    FORBIDDEN(HttpStatus.FORBIDDEN, "forbidden"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "not found"),
    /** HTTP only. */
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method not allowed"),
    /** HTTP only. */
    NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "not acceptable; this API answers application/json"),
    CONFLICT(HttpStatus.CONFLICT, "conflict"),
    TOO_LARGE(HttpStatus.PAYLOAD_TOO_LARGE, "too large"),
    /** HTTP only: the request line (method, path and query) is longer than the server reads. */
    URI_TOO_LONG(HttpStatus.URI_TOO_LONG, "the request's URI is too long"),
    /** HTTP only: a header, or the headers together, are larger than the server reads. */
    HEADERS_TOO_LARGE(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the request's headers are too large"),
    /** HTTP only. */
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported media type; send application/json"),
    RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "too many requests; slow down"),
    /** A read that cannot be answered correctly right now (the read model is catching up): retry in a moment. */
    UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "temporarily unavailable; try again"),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal error");

    private static final int MAX_CAUSE_DEPTH = 16;

    /** The {@code retryAfter} hint of an {@code UNAVAILABLE} answer: a read model catching up is quick. */
    static final Duration RETRY_AFTER_READ = Duration.ofSeconds(1);
    /** ... and when the command side could not be reached: a restart or a failover takes longer. */
    static final Duration RETRY_AFTER_COMMAND_SIDE = Duration.ofSeconds(2);
    /** What a client is told when the command side could not be reached. */
    static final String COMMAND_SIDE_UNREACHABLE = "the message service is unreachable right now; try again shortly";

    /** What a request refused by Spring Security's firewall is told. */
    static final String REFUSED_REQUEST =
            "the request was refused: its path, a header or a parameter name is ambiguous or malformed";

    private final HttpStatus status;
    private final String defaultMessage;

    ErrorCode(HttpStatus status, String defaultMessage) {
        this.status = status;
        this.defaultMessage = defaultMessage;
    }

    /** The HTTP status this code is answered with. */
    public HttpStatus status() {
        return status;
    }

    /** A generic message for this code, used when the failure carries none fit for users. */
    public String defaultMessage() {
        return defaultMessage;
    }

    /** Whether this code may appear in a socket {@code error} frame. */
    public boolean isSocketCode() {
        return switch (this) {
            case BAD_REQUEST, METHOD_NOT_ALLOWED, NOT_ACCEPTABLE, UNSUPPORTED_MEDIA_TYPE, URI_TOO_LONG,
                 HEADERS_TOO_LARGE -> false;
            default -> true;
        };
    }

    /**
     * The code to answer a failure with.
     *
     * @param error  any failure, wrapped or not
     * @param socket true for a socket {@code error} frame (bad input is {@code BAD_FRAME}), false for HTTP
     *               (bad input is {@code BAD_REQUEST})
     * @return never null; {@link #INTERNAL} for anything not recognised
     */
    public static ErrorCode classify(Throwable error, boolean socket) {
        ErrorCode code = find(error).code;
        if (socket) {
            return code.isSocketCode() ? code : BAD_FRAME;
        }
        return code == BAD_FRAME ? BAD_REQUEST : code;
    }

    /**
     * A message for users that explains {@code error} answered as {@code code}: the message of the failure's details
     * or of the domain exception (written for users, STYLE.md rule 4), a short description of a bad request, or the
     * code's generic message. Never a stack trace, a class name or an internal detail; for {@link #INTERNAL} always
     * the generic message.
     */
    public static String messageOf(Throwable error, ErrorCode code) {
        if (code == INTERNAL || error == null) {
            return code.defaultMessage;
        }
        Found found = find(error);
        String message = found.message;
        if (message == null && (code == BAD_FRAME || code == BAD_REQUEST)) {
            message = describeBadInput(found.cause);
        }
        return message == null || message.isBlank() ? code.defaultMessage : message;
    }

    /**
     * How long a client should wait before trying again after {@code error} answered as {@code code}: for
     * {@link #UNAVAILABLE} always a hint (the {@link ApiException}'s, else 2 s when the command side was unreachable,
     * else 1 s); for other codes the {@link ApiException}'s own, if any; otherwise null (do not retry as is).
     */
    public static Duration retryAfter(Throwable error, ErrorCode code) {
        Duration own = null;
        for (Throwable t : chain(error)) {
            if (t instanceof ApiException api && api.retryAfter() != null) {
                own = api.retryAfter();
                break;
            }
        }
        if (own != null || code != UNAVAILABLE) {
            return own;
        }
        for (Throwable t : chain(error)) {
            if (isCommandSideUnreachable(t)) {
                return RETRY_AFTER_COMMAND_SIDE;
            }
        }
        return RETRY_AFTER_READ;
    }

    /** {@link #retryAfter(Throwable, ErrorCode)} in whole seconds (rounded up, at least 1), or null. */
    public static Long retryAfterSeconds(Throwable error, ErrorCode code) {
        Duration after = retryAfter(error, code);
        if (after == null) {
            return null;
        }
        return Math.max(1, after.toSeconds() + (after.toNanosPart() > 0 ? 1 : 0));
    }

    /**
     * The command could not be delivered: the command side did not answer (down, restarting, a network failure, or it
     * is shutting down), or no node that handles it is known. Nothing was decided; the same command may be sent again.
     */
    private static boolean isCommandSideUnreachable(Throwable t) {
        return t instanceof CommandDispatchException || t instanceof NoHandlerForCommandException;
    }

    /** The failure inside the wrappers of futures, reflection, Reactor and Axon's handler execution exceptions. */
    public static Throwable unwrap(Throwable error) {
        Throwable current = error;
        for (int depth = 0; current != null && depth < MAX_CAUSE_DEPTH; depth++) {
            current = Exceptions.unwrap(current);
            Throwable cause = current.getCause();
            boolean wrapper = current instanceof CompletionException || current instanceof ExecutionException
                    || current instanceof UndeclaredThrowableException || current instanceof InvocationTargetException
                    || current instanceof HandlerExecutionException;
            if (!wrapper || cause == null || cause == current) {
                return current;
            }
            current = cause;
        }
        return current;
    }

    /** The code, the failure that decided it, and its message for users (null: it says none; blank: say nothing). */
    private record Found(ErrorCode code, Throwable cause, String message) {
    }

    private static Found find(Throwable error) {
        if (error == null) {
            return new Found(INTERNAL, null, null);
        }
        // The codecs' size limit may be wrapped in a decoding or input exception: it wins wherever it sits.
        for (Throwable t : chain(error)) {
            if (t instanceof DataBufferLimitException) {
                return new Found(TOO_LARGE, t, null);
            }
        }
        // A command's failure: what its handler's side said it means.
        for (Throwable t : chain(error)) {
            if (t instanceof HandlerExecutionException handled) {
                Found found = fromDetails(handled);
                if (found != null) {
                    return found;
                }
            }
        }
        // A body or frame its record's constructor refused (a required field missing, an id too long): the
        // constructor's rule is the answer, wherever the JSON decoder and the web layer wrapped it.
        for (Throwable t : chain(error)) {
            if (t instanceof ValueInstantiationException && t.getCause() != null) {
                Throwable rule = unwrap(t.getCause());
                if (rule instanceof ApiException || rule instanceof DomainException) {
                    return direct(rule);
                }
            }
        }
        Throwable cause = unwrap(error);
        Found direct = direct(cause);
        if (direct != null) {
            return direct;
        }
        // An unknown wrapper (a unit of work, a proxy) around a domain rule: the rule decides the answer.
        for (Throwable t : chain(cause)) {
            if (t instanceof ApiException || t instanceof DomainException) {
                return direct(t);
            }
        }
        return new Found(INTERNAL, cause, null);
    }

    private static Found direct(Throwable t) {
        if (t instanceof ApiException api) {
            return new Found(api.code(), t, api.getMessage());
        } else if (t instanceof ServerExchangeRejectedException) {
            // Spring Security's firewall: an ambiguous path, a control character in a header or name; its own
            // message quotes what was sent
            return new Found(BAD_FRAME, t, REFUSED_REQUEST);
        } else if (isCommandSideUnreachable(t)) {
            // its message names hosts and internals; a client learns only that it may retry
            return new Found(UNAVAILABLE, t, COMMAND_SIDE_UNREACHABLE);
        } else if (t instanceof AuthenticationServiceException) {
            return new Found(UNAVAILABLE, t, null); // a token could not be checked (an issuer's keys out of reach)
        } else if (t instanceof AuthenticationException) {
            return new Found(UNAUTHORIZED, t, null);
        } else if (t instanceof AccessDeniedException) {
            return new Found(FORBIDDEN, t, null);
        } else if (t instanceof MediaException media) {
            return new Found(of(media.problem()), t, media.getMessage());
        }
        Optional<ErrorDetails> details = ErrorDetails.of(t); // a domain rule, or one of Axon's that a caller is told
        if (details.isPresent()) {
            return new Found(of(details.get().kind()), t, details.get().message());
        } else if (t instanceof WebExchangeBindException bind) {
            return new Found(BAD_FRAME, t, bind.getFieldErrors().stream()
                    .map(f -> f.getField() + ": " + f.getDefaultMessage())
                    .collect(Collectors.joining("; ")));
        } else if (t instanceof jakarta.validation.ValidationException) {
            return new Found(BAD_FRAME, t, t.getMessage());
        } else if (t instanceof DecodingException || t instanceof JsonProcessingException
                || t instanceof ServerWebInputException) {
            return new Found(BAD_FRAME, t, null);
        } else if (t instanceof ErrorResponse response) {
            return new Found(fromStatus(response.getStatusCode().value()), t, null);
        }
        return null;
    }

    /** The answer the details of a handler's failure give: {@link ErrorDetails}, or a code's name; else null. */
    private static Found fromDetails(HandlerExecutionException handled) {
        Object details = handled.getDetails().orElse(null);
        if (details instanceof ErrorDetails error) {
            return new Found(of(error.kind()), handled, error.message());
        }
        if (details instanceof String name) {
            for (ErrorCode code : values()) {
                if (code.name().equals(name)) {
                    return new Found(code, handled, handled.getMessage());
                }
            }
        }
        return null;
    }

    private static ErrorCode of(MediaException.Problem problem) {
        return switch (problem) {
            case INVALID, REJECTED -> BAD_FRAME;
            case FORBIDDEN -> FORBIDDEN;
            case NOT_FOUND -> NOT_FOUND;
            case CONFLICT -> CONFLICT;
            case TOO_LARGE -> TOO_LARGE;
            case RATE_LIMITED -> RATE_LIMITED;
        };
    }

    private static ErrorCode of(ErrorKind kind) {
        return switch (kind) {
            case INVALID -> BAD_FRAME;
            case FORBIDDEN -> FORBIDDEN;
            case NOT_FOUND -> NOT_FOUND;
            case CONFLICT -> CONFLICT;
            case UNAVAILABLE -> UNAVAILABLE;
        };
    }

    private static ErrorCode fromStatus(int status) {
        return switch (status) {
            case 400 -> BAD_FRAME;
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 409 -> CONFLICT;
            case 413 -> TOO_LARGE;
            case 414 -> URI_TOO_LONG;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 429 -> RATE_LIMITED;
            case 431 -> HEADERS_TOO_LARGE;
            default -> status >= 400 && status < 500 ? BAD_FRAME : INTERNAL;
        };
    }

    /**
     * Jackson's messages name Java types; tell the client where the JSON is wrong and what the value must be
     * ({@link InputPolicy}), not how we read it. The same words for an HTTP body and a socket frame.
     */
    private static String describeBadInput(Throwable cause) {
        // the text's shape first: a duplicate key may reach us wrapped with the path of the field it repeats
        for (Throwable t : chain(cause)) {
            if (t instanceof JsonProcessingException json) {
                String shape = InputPolicy.shapeFault(json);
                if (shape != null) {
                    return "malformed JSON body: " + shape;
                }
            }
        }
        for (Throwable t : chain(cause)) {
            if (t instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
                String field = mapping.getPath().stream()
                        .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                        .collect(Collectors.joining()).replaceFirst("^\\.", "");
                String expectation = InputPolicy.expectation(mapping);
                return "malformed JSON body: bad value for '" + field + "'"
                        + (expectation == null ? "" : ": " + expectation);
            }
        }
        for (Throwable t : chain(cause)) {
            if (t instanceof JsonProcessingException || t instanceof DecodingException) {
                return "malformed JSON body";
            }
        }
        if (cause instanceof ServerWebInputException input) {
            String parameter = mistypedParameter(input);
            return parameter != null ? parameter : input.getReason();
        }
        return null;
    }

    /**
     * A query parameter or path variable that could not be converted to its type ("Type mismatch." in Spring's words):
     * its name and what it must be, in the words of a bad JSON value; null for any other input failure.
     */
    private static String mistypedParameter(ServerWebInputException input) {
        if (!(input.getCause() instanceof TypeMismatchException mismatch) || input.getMethodParameter() == null) {
            return null;
        }
        MethodParameter parameter = input.getMethodParameter();
        RequestParam query = parameter.getParameterAnnotation(RequestParam.class);
        PathVariable path = parameter.getParameterAnnotation(PathVariable.class);
        String named = query != null ? query.name() + query.value() : path != null ? path.name() + path.value() : "";
        String name = named.isEmpty() ? parameter.getParameterName() : named; // name and value are aliases: one is ""
        if (name == null) {
            return null;
        }
        Class<?> type = mismatch.getRequiredType();
        String expectation = type == null ? null : InputPolicy.expectation(type);
        return "bad value for " + (path != null ? "path variable" : "parameter") + " '" + name + "'"
                + (expectation == null ? "" : ": " + expectation);
    }

    private static List<Throwable> chain(Throwable error) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = error; t != null && seen.add(t) && chain.size() < MAX_CAUSE_DEPTH; t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }
}
