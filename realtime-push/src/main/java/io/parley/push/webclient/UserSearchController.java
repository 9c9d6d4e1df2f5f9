package io.parley.push.webclient;

import io.parley.api.error.InvalidCommandException;
import io.parley.api.user.UserQueries.SearchUsersQuery;
import io.parley.api.user.UserQueries.UserSearchPage;
import io.parley.push.Backend;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Locale;

/**
 * {@code GET /api/users?query=PREFIX&limit=N&offset=M} (a Parley addition to the contract): finds users by the start
 * of their username, so that a person can open a conversation with someone whose id they do not know. Authenticated
 * like every {@code /api/**} call. It answers only what a user's public profile shows (id, username, display name):
 * no credentials, no registration time, no presence. The prefix is matched literally against the lower-cased
 * usernames; at least one character is required, so the directory cannot be listed whole with one call.
 */
@RestController
class UserSearchController {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 50;
    static final int MAX_QUERY_LENGTH = 64;
    /** Deep pages cost the store a scan of everything skipped; nobody scrolls this far through a name search. */
    static final int MAX_OFFSET = 10_000;

    private final Backend backend;

    UserSearchController(Backend backend) {
        this.backend = backend;
    }

    record UserSummary(String userId, String username, String displayName) {
    }

    record SearchResult(List<UserSummary> users, boolean hasMore) {
    }

    @GetMapping("/api/users")
    Mono<SearchResult> search(@RequestParam(required = false) String query,
                              @RequestParam(required = false) Integer limit,
                              @RequestParam(required = false) Integer offset) {
        String prefix = query == null ? "" : query.strip().toLowerCase(Locale.ROOT);
        if (prefix.isEmpty() || prefix.length() > MAX_QUERY_LENGTH) {
            throw new InvalidCommandException("query must be 1 to " + MAX_QUERY_LENGTH + " characters");
        }
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw new InvalidCommandException("limit must be between 1 and " + MAX_LIMIT);
        }
        int skip = offset == null ? 0 : offset;
        if (skip < 0 || skip > MAX_OFFSET) {
            throw new InvalidCommandException("offset must be between 0 and " + MAX_OFFSET);
        }
        return backend.query(new SearchUsersQuery(prefix, size, skip), ResponseTypes.instanceOf(UserSearchPage.class))
                .map(page -> new SearchResult(page.users().stream()
                        .map(user -> new UserSummary(user.userId(), user.username(), user.displayName()))
                        .toList(), page.hasMore()));
    }
}
