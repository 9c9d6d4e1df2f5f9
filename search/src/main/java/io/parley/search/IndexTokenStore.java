package io.parley.search;

import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.UnableToClaimTokenException;
import org.axonframework.eventhandling.tokenstore.inmemory.InMemoryTokenStore;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;

import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The search projection's tracking token, kept in the search index itself: each Lucene commit stores the token it
 * was made at (commit user data), so the index and its position become durable together and every node keeps its own
 * position beside its own index (no shared token store, no claims between nodes). At start the token of the last
 * commit is where the projection resumes; a missing or emptied index starts from the beginning of the event store.
 * <p>
 * Claims are Axon's in-memory ones: the index belongs to this process alone (Lucene's write lock refuses a second
 * writer). Every stored token makes the batch's writes visible to searches at once (a refresh, no disk sync); a
 * durable commit is made at most every {@code commitInterval} (and at shutdown), so a crash replays at most that
 * much, which the projection's idempotent writes absorb.
 */
final class IndexTokenStore implements TokenStore {

    static final String TOKEN_TYPE = "axon.token.type";
    static final String TOKEN_REVISION = "axon.token.revision";
    static final String TOKEN_DATA = "axon.token.data";

    private final InMemoryTokenStore claims = new InMemoryTokenStore();
    private final String processorName;
    private final MessageIndex index;
    private final Serializer serializer;
    private final Duration commitInterval;
    private final Clock clock;
    private final Consumer<TrackingToken> visible;
    private volatile TrackingToken current;
    private long lastCommitMillis;

    /**
     * @param visible told of every token whose writes searches now see (the consistency barrier)
     */
    IndexTokenStore(String processorName, MessageIndex index, Serializer serializer, Duration commitInterval,
                    Clock clock, Consumer<TrackingToken> visible) {
        this.processorName = processorName;
        this.index = index;
        this.serializer = serializer;
        this.commitInterval = commitInterval;
        this.clock = clock;
        this.visible = visible;
        this.lastCommitMillis = clock.millis();
        Optional<TrackingToken> stored = read(index.committedData());
        if (stored.isPresent()) {
            claims.initializeTokenSegments(processorName, 1, stored.get());
            current = stored.get();
            visible.accept(current);
        }
    }

    @Override
    public void storeToken(TrackingToken token, String processor, int segment) {
        claims.storeToken(token, processor, segment);
        if (!processorName.equals(processor) || !index.isOpen()) {
            return;
        }
        current = token;
        long now = clock.millis();
        if (now - lastCommitMillis >= commitInterval.toMillis()) {
            index.commit(data(token));
            lastCommitMillis = now;
        } else {
            index.refresh();
        }
        visible.accept(token);
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
        claims.initializeTokenSegments(processor, segmentCount, initialToken);
    }

    @Override
    public void initializeTokenSegments(String processor, int segmentCount) throws UnableToClaimTokenException {
        claims.initializeTokenSegments(processor, segmentCount);
    }

    @Override
    public TrackingToken fetchToken(String processor, int segment) {
        return claims.fetchToken(processor, segment);
    }

    @Override
    public TrackingToken fetchToken(String processor, Segment segment) throws UnableToClaimTokenException {
        return claims.fetchToken(processor, segment);
    }

    @Override
    public void extendClaim(String processor, int segment) throws UnableToClaimTokenException {
        claims.extendClaim(processor, segment);
    }

    @Override
    public void releaseClaim(String processor, int segment) {
        claims.releaseClaim(processor, segment);
    }

    @Override
    public void initializeSegment(TrackingToken token, String processor, int segment) {
        claims.initializeSegment(token, processor, segment);
    }

    @Override
    public void deleteToken(String processor, int segment) throws UnableToClaimTokenException {
        claims.deleteToken(processor, segment);
    }

    @Override
    public boolean requiresExplicitSegmentInitialization() {
        return claims.requiresExplicitSegmentInitialization();
    }

    @Override
    public int[] fetchSegments(String processor) {
        return claims.fetchSegments(processor);
    }

    @Override
    public List<Segment> fetchAvailableSegments(String processor) {
        return claims.fetchAvailableSegments(processor);
    }

    @Override
    public Optional<String> retrieveStorageIdentifier() {
        return claims.retrieveStorageIdentifier();
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
