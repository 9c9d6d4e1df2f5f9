package io.parley.eventstore.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** Recomputes an aggregate's hash chain from the stored rows and names the first broken link. */
public class ChainVerifier {

    /**
     * @param valid           whether every link holds
     * @param events          events checked (up to and including the broken one)
     * @param brokenAtSequence sequence number of the first broken link, or null
     * @param brokenAtIndex   its global index, or null
     * @param eventIdentifier its event id, or null
     * @param reason          what is wrong with it, or null
     */
    public record Result(String aggregateId, boolean valid, long events, Long brokenAtSequence, Long brokenAtIndex,
                         String eventIdentifier, String reason) {
    }

    private static final int PAGE = 500;

    private final EventHistory history;

    public ChainVerifier(EventHistory history) {
        this.history = history;
    }

    public Result verify(String aggregateId) {
        String previousHash = "";
        long expectedSequence = 0;
        long checked = 0;
        long after = -1;
        while (true) {
            List<StoredEvent> page = history.page(aggregateId, after, PAGE);
            for (StoredEvent event : page) {
                checked++;
                String problem = check(event, expectedSequence, previousHash);
                if (problem != null) {
                    return new Result(aggregateId, false, checked, event.sequenceNumber(), event.globalIndex(),
                            event.eventIdentifier(), problem);
                }
                previousHash = HashChain.tree(event.metadata()).path(AuditMetadata.HASH).asText("");
                expectedSequence = event.sequenceNumber() + 1;
                after = event.sequenceNumber();
            }
            if (page.size() < PAGE) {
                return new Result(aggregateId, true, checked, null, null, null, null);
            }
        }
    }

    static String check(StoredEvent event, long expectedSequence, String previousHash) {
        if (event.sequenceNumber() != expectedSequence) {
            return "sequence number " + event.sequenceNumber() + " where " + expectedSequence
                    + " was expected: an event is missing";
        }
        JsonNode metadata;
        try {
            metadata = HashChain.tree(event.metadata());
        } catch (RuntimeException e) {
            return "metadata is not readable";
        }
        String stored = metadata.path(AuditMetadata.HASH).asText(null);
        if (stored == null) {
            return "the event carries no hash";
        }
        String storedPrevious = metadata.path(AuditMetadata.PREV_HASH).asText("");
        if (!storedPrevious.equals(previousHash)) {
            return "prevHash does not match the previous event's hash";
        }
        String computed;
        try {
            computed = HashChain.hash(previousHash, event.aggregateIdentifier(), event.sequenceNumber(),
                    event.payloadType(), event.payloadRevision(), event.instant().toEpochMilli(), event.payload(),
                    metadata);
        } catch (RuntimeException e) {
            return "the stored event cannot be read: " + e.getMessage();
        }
        if (!computed.equals(stored)) {
            return "hash does not match the stored payload and metadata";
        }
        return null;
    }
}
