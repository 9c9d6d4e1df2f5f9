package io.parley.query.store;

/** The unique key of a message in the read model. */
public record MessageKey(String conversationId, long seq) {
}
