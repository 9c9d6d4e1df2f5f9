package io.parley.bench.bound;

import java.io.IOException;
import java.util.List;

/** Where {@link Committer} writes a group of messages: durable, as each store defines it, once written. */
interface GroupStore extends AutoCloseable {

    /**
     * One message as stored.
     *
     * @param text  as stored: encrypted past stage log
     * @param event the event's bytes as a log keeps them (JSON)
     */
    record Appended(String conversationId, List<String> members, String senderId, String messageId, long seq,
                    long sentAt, String text, byte[] event) {
    }

    void write(List<Appended> group) throws IOException;

    @Override
    void close() throws IOException;
}
