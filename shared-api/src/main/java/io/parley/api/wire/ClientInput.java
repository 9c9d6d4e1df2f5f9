package io.parley.api.wire;

import io.parley.api.conversation.ConversationCommands;
import io.parley.api.error.InvalidCommandException;

/**
 * The checks the constructors of client input records make: socket frames ({@link ClientFrame}) and HTTP request
 * bodies alike, so that both doors refuse the same fault with the same words. A refusal is an
 * {@link InvalidCommandException} (400 {@code BAD_REQUEST} over HTTP, {@code BAD_FRAME} on the socket) whose message
 * names the field as the client wrote it. Types are the JSON mapper's to check; what the domain allows (blank text,
 * seq ranges) is the aggregate's.
 */
public final class ClientInput {

    private ClientInput() {
    }

    /** {@code value}, which the client must send (JSON {@code null} counts as not sent). */
    public static <T> T required(T value, String field) {
        if (value == null) {
            throw new InvalidCommandException("'" + field + "' is required");
        }
        return value;
    }

    /** {@code value}, which the client must send with at least one character that is not white space. */
    public static String requiredText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidCommandException("'" + field + "' is required");
        }
        return value;
    }

    /**
     * A client's own id for a frame or a message (a send's idempotency key), or null when it sent none: 1 to
     * {@link ConversationCommands#MAX_CLIENT_MSG_ID_LENGTH} characters.
     */
    public static String clientId(String value, String field) {
        if (value != null && !isClientId(value)) {
            throw new InvalidCommandException("'" + field + "' must be a string of 1 to "
                    + ConversationCommands.MAX_CLIENT_MSG_ID_LENGTH + " characters");
        }
        return value;
    }

    /** Whether {@code value} may be a client's id (see {@link #clientId}). */
    public static boolean isClientId(String value) {
        return !value.isEmpty() && value.length() <= ConversationCommands.MAX_CLIENT_MSG_ID_LENGTH;
    }

    /**
     * A W3C Trace Context {@code traceparent} the client sends to have its message traced (null: none):
     * {@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}, lower case, neither id all zeros.
     */
    public static String traceparent(Object value, String field) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text) || !isTraceparent(text)) {
            throw new InvalidCommandException("'" + field + "' must be a W3C traceparent "
                    + "(00-<32 hex digits>-<16 hex digits>-<2 hex digits>, lower case, ids not all zeros)");
        }
        return text;
    }

    /** Whether {@code value} is a W3C {@code traceparent} of version 00 (see {@link #traceparent}). */
    public static boolean isTraceparent(String value) {
        if (value.length() != 55 || !value.startsWith("00-") || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return false;
        }
        return isLowerHex(value, 3, 35) && isLowerHex(value, 36, 52) && isLowerHex(value, 53, 55)
                && !isZeros(value, 3, 35) && !isZeros(value, 36, 52);
    }

    private static boolean isLowerHex(String value, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZeros(String value, int from, int to) {
        for (int i = from; i < to; i++) {
            if (value.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    /**
     * The media ids a message attaches: null when the client sent none, else strings of 1 to 64 characters without
     * repeats, in the order sent. How many a message may carry is the edge's limit ({@code parley.media.max-attachments}).
     */
    public static java.util.List<String> attachments(java.util.List<String> mediaIds) {
        if (mediaIds == null) {
            return java.util.List.of();
        }
        for (String id : mediaIds) {
            if (id == null || id.isEmpty() || id.length() > 64) {
                throw new InvalidCommandException("'attachments' must be media ids (strings of 1 to 64 characters)");
            }
        }
        if (new java.util.HashSet<>(mediaIds).size() != mediaIds.size()) {
            throw new InvalidCommandException("'attachments' names a media id twice");
        }
        return java.util.List.copyOf(mediaIds);
    }
}
