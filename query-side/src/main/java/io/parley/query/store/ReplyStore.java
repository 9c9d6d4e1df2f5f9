package io.parley.query.store;

import java.util.Collection;
import java.util.Map;

/** Which message each reply answers, by (conversationId, seq). */
public interface ReplyStore {

    /** Records that message {@code seq} answers {@code replyTo}, unless recorded already. */
    void record(String conversationId, long seq, long replyTo);

    /** For those of {@code seqs} that are replies: seq to the seq it answers. */
    Map<Long, Long> repliesAmong(String conversationId, Collection<Long> seqs);

    void clear();
}
