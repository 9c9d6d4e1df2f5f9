package io.parley.api.error;

import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.ConcurrencyException;

import java.util.Objects;
import java.util.Optional;

/**
 * What a failure means, in the form it travels: the details of Axon's {@code CommandExecutionException}. A handler
 * interceptor puts them there on the command side (axon-config's {@code DomainErrorInterceptor}); Axon Server, the
 * HTTP command bus and the local bus all deliver them to the caller unchanged, and the edge answers by them. The
 * exception's class never travels.
 *
 * @param kind    what the edge answers
 * @param message written for users and shown as is; null when the kind says it all (the edge then uses its own words)
 */
public record ErrorDetails(ErrorKind kind, String message) {

    public ErrorDetails {
        Objects.requireNonNull(kind, "kind");
    }

    /**
     * The details of a failure the caller may be told about: a {@link DomainException}, an
     * {@link IllegalArgumentException} (invalid input), or Axon's {@link AggregateNotFoundException} and
     * {@link ConcurrencyException}. Empty for anything else (a bug, an outage): the caller learns only that it failed.
     * Looks at {@code failure} itself, not at its causes.
     */
    public static Optional<ErrorDetails> of(Throwable failure) {
        if (failure instanceof DomainException domain) {
            return Optional.of(domain.details());
        } else if (failure instanceof IllegalArgumentException) {
            return Optional.of(new ErrorDetails(ErrorKind.INVALID, failure.getMessage()));
        } else if (failure instanceof AggregateNotFoundException) {
            return Optional.of(new ErrorDetails(ErrorKind.NOT_FOUND, null)); // Axon's message names its internals
        } else if (failure instanceof ConcurrencyException) {
            return Optional.of(new ErrorDetails(ErrorKind.CONFLICT, "changed concurrently; try again"));
        }
        return Optional.empty();
    }
}
