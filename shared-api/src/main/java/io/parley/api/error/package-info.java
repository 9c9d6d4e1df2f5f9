/**
 * Failures the caller is told about: the {@link io.parley.api.error.ErrorKind kinds}, the
 * {@link io.parley.api.error.ErrorDetails details} that travel with Axon's {@code CommandExecutionException}, and one
 * {@link io.parley.api.error.DomainException} type per kind to throw. Messages are readable by users.
 */
package io.parley.api.error;
