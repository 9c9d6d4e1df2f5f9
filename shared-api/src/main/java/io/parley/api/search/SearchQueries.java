package io.parley.api.search;

import java.time.Instant;
import java.util.List;

/** Full-text search of messages: the query the edge sends and what the search module answers. */
public final class SearchQueries {

    private SearchQueries() {
    }

    /** Default and maximum number of results per page. */
    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 50;

    /** Longest query text, in characters. */
    public static final int MAX_QUERY_LENGTH = 256;

    /**
     * Messages of {@code userId}'s conversations whose text holds the words of {@code text}, newest first. Membership
     * is the search module's own (from the event stream), never the caller's word. {@code conversationId} (optional)
     * narrows to one conversation, which the user must be a member of ({@code FORBIDDEN} otherwise); {@code cursor}
     * (optional) is the {@link SearchPage#nextCursor()} of the previous page. Answers {@link SearchPage}.
     */
    public record SearchMessagesQuery(String userId, String text, String conversationId, int limit, String cursor) {
    }

    /**
     * One page of results, newest first. {@code nextCursor} is opaque; null when there are no more results.
     */
    public record SearchPage(List<SearchHit> results, String nextCursor) {
    }

    /**
     * A message that matched. {@code highlights} are the matched words as half-open ranges {@code [start, end)} of
     * {@code text}, counted in UTF-16 code units (the indices of a JavaScript or Java string), so a client marks them
     * by building text nodes: nothing in {@code text} is ever markup.
     */
    public record SearchHit(String conversationId, String messageId, long seq, String senderId, String text,
                            Instant sentAt, Instant editedAt, List<Highlight> highlights) {
    }

    /** A matched range of a hit's text: {@code [start, end)} in UTF-16 code units. */
    public record Highlight(int start, int end) {
    }

    /**
     * Removes every message text of {@code userId} from the search index of the node that answers (after the user's
     * text keys were destroyed), and purges it from the index files. Sent by scatter-gather, so that with Axon Server
     * every query node answers. Answers the number of messages removed ({@link Long}).
     */
    public record PurgeUserTextQuery(String userId) {
    }
}
