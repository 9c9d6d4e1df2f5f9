package io.parley.push.streams;

import io.parley.api.error.InvalidCommandException;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.TrackingToken;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A position in the analytics stream as the client sees it: an opaque text that identifies one event and resumes
 * exactly after it. It is Axon's gap-aware token written out: the highest global index read, then the indexes below it
 * not read yet (transactions that were still committing), as distances below that index:
 * {@code 32396} (no gaps) or {@code 32396~1.7} (32395 and 32389 not read yet).
 * <p>
 * Why not the global index alone: JDBC event stores hand out global indexes before commit, so an event can commit
 * after a higher-numbered one. Its stream position then has the same highest index as the event before it, and the
 * two were sent with the same id (issue 19: 3 to 16 times per run); a consumer that deduplicated by id dropped
 * events, and resuming from the plain index skipped the late one. The written-out token differs for each event (the
 * late event removes its index from the gaps) and resuming from it reads the gaps again. A plain number, as older
 * consumers saved it, is read as a position without gaps.
 */
final class StreamPosition {

    /** More gaps than this in a position is refused (a real token holds a handful; the text goes into a header). */
    private static final int MAX_GAPS = 1_000;

    private StreamPosition() {
    }

    /** The text of {@code token}; {@code -1} for none. */
    static String format(TrackingToken token) {
        if (token == null) {
            return "-1";
        }
        long index = token.position().orElse(-1);
        if (!(token instanceof GapAwareTrackingToken gapAware) || gapAware.getGaps().isEmpty()) {
            return Long.toString(index);
        }
        return index + "~" + gapAware.getGaps().stream().map(gap -> Long.toString(index - gap))
                .collect(Collectors.joining("."));
    }

    /**
     * The token to resume after {@code text}; null to start at the first event ({@code -1}).
     *
     * @throws InvalidCommandException when the text is not a position from this stream
     */
    static TrackingToken parse(String text) {
        try {
            String[] parts = text.trim().split("~", 2);
            long index = Long.parseLong(parts[0]);
            if (index < -1 || (index == -1 && parts.length > 1)) {
                throw new NumberFormatException("below -1");
            }
            if (index == -1) {
                return null;
            }
            TreeSet<Long> gaps = new TreeSet<>();
            if (parts.length > 1) {
                List<String> distances = Arrays.asList(parts[1].split("\\."));
                if (distances.size() > MAX_GAPS) {
                    throw new NumberFormatException("too many gaps");
                }
                for (String distance : distances) {
                    long d = Long.parseLong(distance);
                    if (d < 1 || d > index) {
                        throw new NumberFormatException("gap out of range");
                    }
                    gaps.add(index - d);
                }
            }
            return GapAwareTrackingToken.newInstance(index, gaps);
        } catch (NumberFormatException e) {
            throw new InvalidCommandException("not a position from this stream: use an event's id (or -1)");
        }
    }
}
