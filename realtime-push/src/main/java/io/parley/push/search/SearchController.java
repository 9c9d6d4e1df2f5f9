package io.parley.push.search;

import io.parley.api.error.InvalidCommandException;
import io.parley.api.search.SearchQueries;
import io.parley.api.search.SearchQueries.SearchMessagesQuery;
import io.parley.api.search.SearchQueries.SearchPage;
import io.parley.push.Backend;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.security.Principal;

/**
 * {@code GET /api/search}: messages of the caller's conversations that hold the words of {@code q}, newest first, with
 * the matched words as ranges of the text, in pages joined by an opaque cursor. The search module answers (its
 * own index on this node, its own membership data); the caller is the token's user, never a parameter.
 */
@RestController
class SearchController {

    private final Backend backend;

    SearchController(Backend backend) {
        this.backend = backend;
    }

    /**
     * @param q              the words (1..{@value SearchQueries#MAX_QUERY_LENGTH} characters): all must occur;
     *                       {@code "a phrase"}, {@code prefix*} and {@code -excluded} are understood
     * @param conversationId only this conversation (403 unless the caller is a member)
     * @param limit          results per page, 1..{@value SearchQueries#MAX_LIMIT}, default
     *                       {@value SearchQueries#DEFAULT_LIMIT}
     * @param cursor         {@code nextCursor} of the previous page
     */
    @GetMapping("/api/search")
    Mono<SearchPage> search(Principal principal, @RequestParam(required = false) String q,
                            @RequestParam(required = false) String conversationId,
                            @RequestParam(required = false) Integer limit,
                            @RequestParam(required = false) String cursor) {
        if (q == null || q.isBlank()) {
            return Mono.error(new InvalidCommandException("q (the words to find) is required"));
        }
        int size = limit == null ? SearchQueries.DEFAULT_LIMIT : limit;
        if (size < 1 || size > SearchQueries.MAX_LIMIT) {
            return Mono.error(new InvalidCommandException("limit must be between 1 and " + SearchQueries.MAX_LIMIT));
        }
        return backend.query(new SearchMessagesQuery(principal.getName(), q,
                        conversationId == null || conversationId.isBlank() ? null : conversationId, size, cursor),
                ResponseTypes.instanceOf(SearchPage.class));
    }
}
