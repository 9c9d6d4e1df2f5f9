package io.parley.search;

import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.UnableToClaimTokenException;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;

import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The search projection's tracking token, kept in the search index itself: each Lucene commit stores the token it
 * was made at (commit user data), so the index and its position become durable together and every node keeps its own
 * position beside its own index (no shared token store, no claims between nodes). At start the token of the last
 * commit is where the projection resumes; a missing or emptied index starts from the beginning of the event store.
 * <p>
 * Claims are trivial: the index belongs to this process alone (Lucene's write lock refuses a second writer), so a
 * token is held in memory and every segment is always this process's. A stored token tells the consistency barrier
 * what the index holds; the writes become visible when a search asks for them ({@link SearchBarrier}), not per batch. A
 * durable commit is made at most every {@code commitInterval} (and at shutdown), so a crash replays at most that
 * much, which the projection's idempotent writes absorb.
 */
final class IndexTokenStore implements TokenStore {

    static final String TOKEN_TYPE = "axon.token.type";
    static final String TOKEN_REVISION = "axon.token.revision";
    static final String TOKEN_DATA = "axon.token.data";

    /** Stands for a null token in the maps (a segment initialized at the very beginning of the stream). */
    private static final TrackingToken NONE = new GlobalSequenceTrackingToken(Long.MIN_VALUE);

    private final Map<String, Map<Integer, TrackingToken>> tokens = new ConcurrentHashMap<>();
    private final String storageId = "search-index-" + UUID.randomUUID();
    private final String processorName;
    private final MessageIndex index;
    private final Serializer serializer;
    private final Duration commitInterval;
    private final Clock clock;
    private final Consumer<TrackingToken> indexed;
    private volatile TrackingToken current;
    private long lastCommitMillis;

    /**
     * @param indexed told of every token whose writes the index now holds (the consistency barrier, which makes them
     *                visible when a search needs them)
     */
    IndexTokenStore(String processorName, MessageIndex index, Serializer serializer, Duration commitInterval,
                    Clock clock, Consumer<TrackingToken> indexed) {
        this.processorName = processorName;
        this.index = index;
        this.serializer = serializer;
        this.commitInterval = commitInterval;
        this.clock = clock;
        this.indexed = indexed;
        this.lastCommitMillis = clock.millis();
        Optional<TrackingToken> stored = read(index.committedData());
        if (stored.isPresent()) {
            initializeTokenSegments(processorName, 1, stored.get());
            current = stored.get();
            indexed.accept(current);
        }
    }

    @Override
    public void storeToken(TrackingToken token, String processor, int segment) {
        // at once, also inside a unit of work: a reset inside a command's unit of work must be what the processor
        // fetches when it starts again a moment later (Axon's InMemoryTokenStore would store it after that commit)
        tokensOf(processor).put(segment, orNone(token));
        if (!processorName.equals(processor) || !index.isOpen()) {
            return;
        }
        current = token;
        long now = clock.millis();
        if (now - lastCommitMillis >= commitInterval.toMillis()) {
            index.commit(data(token));
            lastCommitMillis = now;
        }
        indexed.accept(token);
    }

    /** Commits the index at the last stored token (at shutdown, and before a purge). */
    synchronized Map<String, String> commitData() {
        return current == null ? Map.of() : data(current);
    }

    void flush() {
        if (current != null && index.isOpen()) {
            index.commit(data(current));
        }
    }

    @Override
    public void initializeTokenSegments(String processor, int segmentCount, TrackingToken initialToken)
            throws UnableToClaimTokenException {
        Map<Integer, TrackingToken> mine = tokensOf(processor);
        synchronized (mine) {
            if (!mine.isEmpty()) {
                throw new UnableToClaimTokenException("segments of " + processor + " are already initialized");
            }
            for (int segment = 0; segment < segmentCount; segment++) {
                mine.put(segment, orNone(initialToken));
            }
        }
    }

    @Override
    public void initializeTokenSegments(String processor, int segmentCount) throws UnableToClaimTokenException {
        initializeTokenSegments(processor, segmentCount, null);
    }

    @Override
    public TrackingToken fetchToken(String processor, int segment) throws UnableToClaimTokenException {
        TrackingToken token = tokensOf(processor).get(segment);
        if (token == null) {
            throw new UnableToClaimTokenException("no token for segment " + segment + " of " + processor);
        }
        return token == NONE ? null : token;
    }

    @Override
    public void releaseClaim(String processor, int segment) {
        // claims are this process's alone: nothing to release
    }

    @Override
    public void initializeSegment(TrackingToken token, String processor, int segment) {
        tokensOf(processor).put(segment, orNone(token));
    }

    @Override
    public void deleteToken(String processor, int segment) {
        tokensOf(processor).remove(segment);
    }

    @Override
    public boolean requiresExplicitSegmentInitialization() {
        return true;
    }

    @Override
    public int[] fetchSegments(String processor) {
        return tokensOf(processor).keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    @Override
    public Optional<String> retrieveStorageIdentifier() {
        return Optional.of(storageId);
    }

    private Map<Integer, TrackingToken> tokensOf(String processor) {
        return tokens.computeIfAbsent(processor, p -> new ConcurrentHashMap<>());
    }

    private static TrackingToken orNone(TrackingToken token) {
        return token == null ? NONE : token;
    }

    private Map<String, String> data(TrackingToken token) {
        SerializedObject<byte[]> serialized = serializer.serialize(token, byte[].class);
        String revision = serialized.getType().getRevision();
        return Map.of(TOKEN_TYPE, serialized.getType().getName(),
                TOKEN_REVISION, revision == null ? "" : revision,
                TOKEN_DATA, Base64.getEncoder().encodeToString(serialized.getData()));
    }

    private Optional<TrackingToken> read(Map<String, String> data) {
        String type = data.get(TOKEN_TYPE);
        String bytes = data.get(TOKEN_DATA);
        if (type == null || bytes == null) {
            return Optional.empty();
        }
        String revision = data.getOrDefault(TOKEN_REVISION, "");
        TrackingToken token = serializer.deserialize(new SimpleSerializedObject<>(Base64.getDecoder().decode(bytes),
                byte[].class, type, revision.isEmpty() ? null : revision));
        return Optional.ofNullable(token);
    }
}
