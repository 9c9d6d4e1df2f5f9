package io.parley.query.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One message as the inbox counts it ({@link InboxStore#messagesArrived}).
 *
 * @param seq      the message's sequence number in its conversation
 * @param senderId who sent it
 * @param at       when it was sent
 */
public record MessageArrival(long seq, String senderId, Instant at) {

    /** The arrivals cut, in their order, into runs of consecutive seqs (each seq one above the one before). */
    public static List<List<MessageArrival>> runs(List<MessageArrival> arrivals) {
        List<List<MessageArrival>> runs = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= arrivals.size(); i++) {
            if (i == arrivals.size() || arrivals.get(i).seq() != arrivals.get(i - 1).seq() + 1) {
                runs.add(arrivals.subList(start, i));
                start = i;
            }
        }
        return runs;
    }

    /** Each sender of a run with the seq of its last message in it, in the order the senders first appear. */
    public static Map<String, Long> lastOfEachSender(List<MessageArrival> run) {
        Map<String, Long> last = new LinkedHashMap<>();
        run.forEach(arrival -> last.merge(arrival.senderId(), arrival.seq(), Math::max));
        return last;
    }

    /** The latest time of a non-empty run. */
    public static Instant latest(List<MessageArrival> run) {
        return run.stream().map(MessageArrival::at).max(Comparator.naturalOrder()).orElseThrow();
    }
}
