package io.parley.query.store.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.UpdateOptions;
import io.parley.query.store.ReplyStore;
import org.bson.Document;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** Collection {@code replies}: {conversationId, seq, replyTo}, unique on (conversationId, seq). */
final class MongoReplyStore implements ReplyStore {

    private final MongoCollection<Document> replies;

    MongoReplyStore(MongoCollection<Document> replies) {
        this.replies = replies;
    }

    @Override
    public void record(String conversationId, long seq, long replyTo) {
        replies.updateOne(new Document("conversationId", conversationId).append("seq", seq),
                new Document("$setOnInsert", new Document("replyTo", replyTo)), new UpdateOptions().upsert(true));
    }

    @Override
    public Map<Long, Long> repliesAmong(String conversationId, Collection<Long> seqs) {
        Map<Long, Long> found = new HashMap<>();
        if (seqs.isEmpty()) {
            return found;
        }
        replies.find(new Document("conversationId", conversationId)
                        .append("seq", new Document("$in", new ArrayList<>(seqs))))
                .forEach(d -> found.put(MongoReadStores.number(d, "seq"), MongoReadStores.number(d, "replyTo")));
        return found;
    }

    @Override
    public void clear() {
        replies.deleteMany(new Document());
    }
}
