package io.parley.search;

import io.parley.api.error.InvalidCommandException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque paging cursor: the stream position the next page starts below, base64url-encoded with a version prefix
 * so its shape may change without breaking clients that only pass it back.
 */
final class SearchCursor {

    private static final String PREFIX = "s1.";

    private SearchCursor() {
    }

    static String encode(long before) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + before).getBytes(StandardCharsets.US_ASCII));
    }

    /** The position below which the next page starts, or null without a cursor. */
    static Long decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (plain.startsWith(PREFIX)) {
                return Long.parseLong(plain.substring(PREFIX.length()));
            }
        } catch (IllegalArgumentException e) {
            // falls through to the refusal below (NumberFormatException is one too)
        }
        throw new InvalidCommandException("cursor is not one this server handed out");
    }
}
