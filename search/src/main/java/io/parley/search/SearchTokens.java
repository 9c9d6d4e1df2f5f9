package io.parley.search;

/**
 * Holds the search projection's {@link IndexTokenStore}. The store is registered with Axon for that processor only;
 * it is not a Spring bean of type {@code TokenStore}, which Axon's auto-configuration would take for every processor
 * (or refuse as a second candidate beside the JDBC or Mongo token store).
 */
final class SearchTokens {

    private final IndexTokenStore store;

    SearchTokens(IndexTokenStore store) {
        this.store = store;
    }

    IndexTokenStore store() {
        return store;
    }

    /** Commits the index at its last position (at shutdown). */
    void flush() {
        store.flush();
    }
}
