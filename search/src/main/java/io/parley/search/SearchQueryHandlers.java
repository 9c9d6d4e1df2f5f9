package io.parley.search;

import io.parley.api.error.InvalidCommandException;
import io.parley.api.search.SearchQueries;
import io.parley.api.search.SearchQueries.PurgeUserTextQuery;
import io.parley.api.search.SearchQueries.SearchMessagesQuery;
import io.parley.api.search.SearchQueries.SearchPage;
import org.axonframework.queryhandling.QueryHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers searches from this node's index after the read-your-writes wait, and purges an erased user's text from it.
 * Who may find what is the index's own membership data, never the caller's word.
 */
class SearchQueryHandlers {

    private static final Logger log = LoggerFactory.getLogger(SearchQueryHandlers.class);

    private final MessageIndex index;
    private final SearchBarrier barrier;
    private final IndexTokenStore tokens;

    SearchQueryHandlers(MessageIndex index, SearchBarrier barrier, IndexTokenStore tokens) {
        this.index = index;
        this.barrier = barrier;
        this.tokens = tokens;
    }

    /**
     * @throws InvalidCommandException for empty or too long text, a limit outside 1..{@value SearchQueries#MAX_LIMIT}
     *                                 or a cursor this server did not hand out (400)
     * @throws io.parley.api.error.ForbiddenException for a conversation the user is not a member of (403)
     * @throws io.parley.api.error.UnavailableException when the index has not caught up in time (503)
     */
    @QueryHandler
    SearchPage handle(SearchMessagesQuery query) {
        if (query.userId() == null || query.userId().isBlank()) {
            throw new InvalidCommandException("a search needs a user");
        }
        if (query.text() == null || query.text().isBlank()) {
            throw new InvalidCommandException("q (the words to find) is required");
        }
        if (query.text().length() > SearchQueries.MAX_QUERY_LENGTH) {
            throw new InvalidCommandException("q is longer than " + SearchQueries.MAX_QUERY_LENGTH + " characters");
        }
        if (query.limit() < 1 || query.limit() > SearchQueries.MAX_LIMIT) {
            throw new InvalidCommandException("limit must be between 1 and " + SearchQueries.MAX_LIMIT);
        }
        Long before = SearchCursor.decode(query.cursor());
        barrier.await();
        MessageIndex.Page page = index.search(query.userId(), query.text(), query.conversationId(), query.limit(),
                before);
        return new SearchPage(page.hits(), page.nextBefore() == null ? null : SearchCursor.encode(page.nextBefore()));
    }

    @QueryHandler
    Long handle(PurgeUserTextQuery query) {
        long removed = index.purgeSender(query.userId(), barrier.head(), tokens.commitData());
        log.info("search index: {} messages of an erased user removed and purged from the index files", removed);
        return removed;
    }
}
