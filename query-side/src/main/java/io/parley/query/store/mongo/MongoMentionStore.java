package io.parley.query.store.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.UpdateOptions;
import io.parley.query.store.MentionStore;
import org.bson.Document;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collection {@code mentions}: {conversationId, seq, userId, read}, unique on (conversationId, seq, userId). */
final class MongoMentionStore implements MentionStore {

    private final MongoCollection<Document> mentions;

    MongoMentionStore(MongoCollection<Document> mentions) {
        this.mentions = mentions;
    }

    @Override
    public void record(String conversationId, long seq, Collection<String> userIds) {
        for (String userId : userIds) {
            mentions.updateOne(new Document("conversationId", conversationId).append("seq", seq).append("userId", userId),
                    new Document("$setOnInsert", new Document("read", false)), new UpdateOptions().upsert(true));
        }
    }

    @Override
    public void read(String userId, String conversationId, long upToSeq) {
        mentions.updateMany(new Document("conversationId", conversationId).append("userId", userId)
                        .append("seq", new Document("$lte", upToSeq)).append("read", false),
                new Document("$set", new Document("read", true)));
    }

    @Override
    public void deleteOfMessage(String conversationId, long seq) {
        mentions.deleteMany(new Document("conversationId", conversationId).append("seq", seq));
    }

    @Override
    public Map<Long, List<String>> mentionsAmong(String conversationId, Collection<Long> seqs) {
        Map<Long, List<String>> found = new LinkedHashMap<>();
        if (seqs.isEmpty()) {
            return found;
        }
        mentions.find(new Document("conversationId", conversationId)
                        .append("seq", new Document("$in", new ArrayList<>(seqs))))
                .sort(new Document("seq", 1).append("userId", 1))
                .forEach(d -> found.computeIfAbsent(MongoReadStores.number(d, "seq"), s -> new ArrayList<>())
                        .add(d.getString("userId")));
        return found;
    }

    @Override
    public Map<String, Long> unreadOf(String userId) {
        Map<String, Long> counts = new LinkedHashMap<>();
        mentions.find(new Document("userId", userId).append("read", false))
                .forEach(d -> counts.merge(d.getString("conversationId"), 1L, Long::sum));
        return counts;
    }

    @Override
    public void clear() {
        mentions.deleteMany(new Document());
    }
}
