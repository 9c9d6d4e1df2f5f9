package io.parley.push.auth;

import io.parley.api.error.ConflictException;
import io.parley.api.error.ErrorDetails;
import io.parley.api.error.ErrorKind;
import io.parley.api.error.ForbiddenException;
import io.parley.api.error.InvalidCommandException;
import io.parley.api.error.NotFoundException;
import io.parley.push.web.ApiError;
import io.parley.push.web.ApiException;
import io.parley.push.web.ErrorCode;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.NoHandlerForCommandException;
import org.axonframework.commandhandling.distributed.CommandDispatchException;
import org.axonframework.messaging.RemoteExceptionDescription;
import org.axonframework.messaging.RemoteHandlingException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.queryhandling.QueryExecutionException;
import org.junit.jupiter.api.Test;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

/** The one classification of failures that the HTTP advice and the socket handler share (lives in io.parley.push.web). */
class ErrorCodeTest {

    @Test
    void domainExceptionsAreFoundInsideAxonAndFutureWrappers() {
        Throwable wrapped = new CompletionException(new CommandExecutionException("failed",
                new ExecutionException(new ForbiddenException("only members may send"))));

        assertThat(ErrorCode.classify(wrapped, false)).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(ErrorCode.classify(wrapped, true)).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(ErrorCode.messageOf(wrapped, ErrorCode.FORBIDDEN)).isEqualTo("only members may send");
        assertThat(ApiError.from(wrapped, false)).isEqualTo(new ApiError("FORBIDDEN", "only members may send"));
        assertThat(ErrorCode.FORBIDDEN.status()).isEqualTo(HttpStatus.FORBIDDEN);
    }

    @Test
    void everyDomainExceptionHasItsCode() {
        assertThat(ErrorCode.classify(new NotFoundException("no such message"), true)).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(ErrorCode.classify(new ConflictException("group is full"), true)).isEqualTo(ErrorCode.CONFLICT);
        assertThat(ErrorCode.classify(new ConcurrencyException("changed"), false)).isEqualTo(ErrorCode.CONFLICT);
        assertThat(ErrorCode.classify(new QueryExecutionException("q", new NotFoundException("x")), false))
                .isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(ErrorCode.classify(new RuntimeException("unit of work", new ConflictException("taken")), false))
                .as("an unknown wrapper around a domain rule").isEqualTo(ErrorCode.CONFLICT);
    }

    @Test
    void badInputIsBadFrameOnTheSocketAndBadRequestOnHttp() {
        Throwable invalid = new InvalidCommandException("text must not be blank");

        assertThat(ErrorCode.classify(invalid, true)).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(ErrorCode.classify(invalid, false)).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(ErrorCode.classify(new IllegalArgumentException("bad"), true)).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(ErrorCode.classify(new ServerWebInputException("No request body"), false))
                .isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(ErrorCode.classify(new ResponseStatusException(HttpStatus.METHOD_NOT_ALLOWED), true))
                .as("HTTP-only codes become BAD_FRAME on the socket").isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(ErrorCode.messageOf(invalid, ErrorCode.BAD_FRAME)).isEqualTo("text must not be blank");
    }

    @Test
    void securityRefusalsHaveTheirCodesAndAFirewallRefusalDoesNotQuoteTheRequest() {
        Throwable rejected = new ServerExchangeRejectedException("the header \"X\" has a value \"\u0001evil\"");

        assertThat(ErrorCode.classify(rejected, false)).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(ErrorCode.messageOf(rejected, ErrorCode.BAD_REQUEST)).doesNotContain("evil").contains("refused");
        assertThat(ErrorCode.classify(new AccessDeniedException("Access Denied"), false)).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(ErrorCode.classify(new BadCredentialsException("bad"), false)).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(ErrorCode.classify(new AuthenticationServiceException("the issuer's keys are out of reach"), false))
                .isEqualTo(ErrorCode.UNAVAILABLE);
    }

    @Test
    void unknownFailuresAreInternalAndSayNothingMore() {
        Throwable bug = new CompletionException(new IllegalStateException("SELECT * FROM secrets failed"));

        assertThat(ErrorCode.classify(bug, false)).isEqualTo(ErrorCode.INTERNAL);
        assertThat(ErrorCode.classify(bug, true)).isEqualTo(ErrorCode.INTERNAL);
        assertThat(ErrorCode.messageOf(bug, ErrorCode.INTERNAL)).isEqualTo("internal error");
        assertThat(ErrorCode.classify(null, false)).isEqualTo(ErrorCode.INTERNAL);
    }

    @Test
    void aRemoteHandlerFailureIsClassifiedByItsDetails() {
        Throwable remote = new CommandExecutionException("you may not remove the owner", null, "FORBIDDEN");

        assertThat(ErrorCode.classify(remote, false)).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(ErrorCode.messageOf(remote, ErrorCode.FORBIDDEN)).isEqualTo("you may not remove the owner");
        assertThat(ErrorCode.classify(new CommandExecutionException("boom", null), false)).isEqualTo(ErrorCode.INTERNAL);
    }

    @Test
    void aCommandFailureIsAnsweredByItsErrorDetailsInEveryMode() {
        ErrorDetails forbidden = new ErrorDetails(ErrorKind.FORBIDDEN, "only members may send");
        Throwable local = new CompletionException(
                new CommandExecutionException("only members may send", null, forbidden));
        // Axon Server's shape: the cause describes the remote exception, which must not decide the answer
        Throwable axonServer = new CommandExecutionException("only members may send", new RemoteHandlingException(
                RemoteExceptionDescription.describing(new IllegalStateException("remote stack"))), forbidden);

        for (Throwable error : new Throwable[]{local, axonServer}) {
            assertThat(ErrorCode.classify(error, true)).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(ApiError.from(error, false)).isEqualTo(new ApiError("FORBIDDEN", "only members may send"));
        }
        Throwable invalid = new CommandExecutionException("x", null, new ErrorDetails(ErrorKind.INVALID, "too long"));
        assertThat(ApiError.from(invalid, true)).isEqualTo(new ApiError("BAD_FRAME", "too long"));
        assertThat(ApiError.from(invalid, false)).isEqualTo(new ApiError("BAD_REQUEST", "too long"));
        Throwable missing = new CommandExecutionException("The aggregate was not found in the event store", null,
                new ErrorDetails(ErrorKind.NOT_FOUND, null));
        assertThat(ApiError.from(missing, false)).as("no message: the code's own words, never Axon's")
                .isEqualTo(new ApiError("NOT_FOUND", "not found"));
        assertThat(ApiError.from(new CommandExecutionException("x", null, new ErrorDetails(ErrorKind.UNAVAILABLE,
                "catching up")), false)).isEqualTo(new ApiError("UNAVAILABLE", "catching up"));
    }

    @Test
    void anUnreachableCommandSideIsUnavailableWithARetryHintNeverInternal() {
        Throwable unreachable = new CompletionException(new CommandDispatchException(
                "command side at http://10.0.0.5:8081 unreachable: java.net.ConnectException"));
        assertThat(ErrorCode.classify(unreachable, true)).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(ErrorCode.classify(unreachable, false)).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(ErrorCode.UNAVAILABLE.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(ErrorCode.messageOf(unreachable, ErrorCode.UNAVAILABLE)).as("no host, no class name")
                .isEqualTo("the message service is unreachable right now; try again shortly");
        assertThat(ErrorCode.retryAfterSeconds(unreachable, ErrorCode.UNAVAILABLE)).isEqualTo(2L);

        Throwable noNode = new NoHandlerForCommandException("No node known to accept command [SendMessage].");
        assertThat(ErrorCode.classify(noNode, true)).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(ErrorCode.retryAfterSeconds(noNode, ErrorCode.UNAVAILABLE)).isEqualTo(2L);

        Throwable catchingUp = new CommandExecutionException("x", null, new ErrorDetails(ErrorKind.UNAVAILABLE, "c"));
        assertThat(ErrorCode.retryAfterSeconds(catchingUp, ErrorCode.UNAVAILABLE)).isEqualTo(1L);
        assertThat(ErrorCode.retryAfterSeconds(new ForbiddenException("no"), ErrorCode.FORBIDDEN)).isNull();
    }

    @Test
    void axonsOwnFailuresInThisProcessKeepTheirAnswers() {
        assertThat(ApiError.from(new CompletionException(new ConcurrencyException("duplicate key")), false))
                .isEqualTo(new ApiError("CONFLICT", "changed concurrently; try again"));
        assertThat(ApiError.from(new AggregateNotFoundException("c-1", "The aggregate was not found"), true))
                .isEqualTo(new ApiError("NOT_FOUND", "not found"));
    }

    @Test
    void sizeLimitsAreTooLargeWhereverTheyAreWrapped() {
        Throwable limit = new ServerWebInputException("Failed to read HTTP message", null,
                new DecodingException("decoding", new DataBufferLimitException("Exceeded limit on max bytes to buffer")));

        assertThat(ErrorCode.classify(limit, false)).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(ErrorCode.TOO_LARGE.status()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
    }

    @Test
    void theEdgesOwnAnswersKeepTheirCode() {
        ApiException limited = new ApiException(ErrorCode.RATE_LIMITED, "slow down");

        assertThat(ErrorCode.classify(new CompletionException(limited), true)).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(ErrorCode.messageOf(limited, ErrorCode.RATE_LIMITED)).isEqualTo("slow down");
    }

    @Test
    void frameworkStatusesMapToCodes() {
        assertThat(ErrorCode.classify(new ResponseStatusException(HttpStatus.NOT_FOUND), false)).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(ErrorCode.classify(new ResponseStatusException(HttpStatus.UNSUPPORTED_MEDIA_TYPE), false))
                .isEqualTo(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
        assertThat(ErrorCode.classify(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE), false))
                .isEqualTo(ErrorCode.INTERNAL);
        assertThat(ErrorCode.classify(new ResponseStatusException(HttpStatus.I_AM_A_TEAPOT), false))
                .isEqualTo(ErrorCode.BAD_REQUEST);
    }
}
