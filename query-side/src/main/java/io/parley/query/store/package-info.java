/**
 * The read-model storage port: what the projections write and the query handlers read, in four small interfaces
 * ({@link io.parley.query.store.TimelineStore}, {@link io.parley.query.store.ConversationStore},
 * {@link io.parley.query.store.InboxStore}, {@link io.parley.query.store.UserStore}) bundled as
 * {@link io.parley.query.store.ReadStores}. Adapters: {@code jdbc} (the {@code embedded} store, SQL on the application's
 * DataSource) and {@code mongo} (the MongoDB Java driver).
 *
 * <p>Every write is idempotent on its own (insert-if-absent by key, or guarded by a sequence number), so a redelivered or
 * replayed event changes nothing. Writers rely on Axon's default sequencing policy (events of one aggregate are handled
 * in order, by one thread): all rows keyed by a conversation are written only by that conversation's events, so the
 * adapters need no locking beyond that.
 */
package io.parley.query.store;
