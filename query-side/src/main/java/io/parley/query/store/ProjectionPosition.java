package io.parley.query.store;

import java.util.List;
import java.util.Set;

/**
 * How far one segment of a projection's processor has come in the event stream, as stored beside its read model and
 * committed with it: every event at or below {@code index} that is not in {@code gaps} is in the read model.
 *
 * @param segment   the processor segment (0 with the default single segment)
 * @param index     the global index of the last event the batch passed (Axon's tracking token position)
 * @param gaps      global indexes at or below {@code index} not seen yet: transactions still in flight when the
 *                  processor read past them, or rolled back ({@code GapAwareTrackingToken}); ascending, at most
 *                  {@value #MAX_GAPS} (the lowest ones)
 * @param replaying whether the processor is rebuilding the read model from the start (a reset)
 */
public record ProjectionPosition(int segment, long index, List<Long> gaps, boolean replaying) {

    public static final int MAX_GAPS = 64;

    public ProjectionPosition {
        gaps = List.copyOf(gaps);
    }

    /** Whether the read model holds every event up to {@code head}, leaving out the given gaps known to hold nothing. */
    public boolean covers(long head, Set<Long> emptyGaps) {
        return index >= head && openGaps(head, emptyGaps).isEmpty();
    }

    /** The gaps at or below {@code head} that may still hold an event. */
    public List<Long> openGaps(long head, Set<Long> emptyGaps) {
        return gaps.stream().filter(g -> g <= head && !emptyGaps.contains(g)).toList();
    }
}
