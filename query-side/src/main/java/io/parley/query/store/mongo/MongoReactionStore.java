package io.parley.query.store.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.UpdateOptions;
import io.parley.api.conversation.ConversationQueries.MessageReactions;
import io.parley.api.conversation.ConversationQueries.Reaction;
import io.parley.query.store.ReactionStore;
import org.bson.Document;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collections {@code reactions} ({conversationId, seq, userId, emoji, reactionVersion}, unique on the first four)
 * and {@code reactionChanges} ({conversationId, seq, messageId, reactionVersion}, unique on the first two).
 */
final class MongoReactionStore implements ReactionStore {

    private final MongoCollection<Document> reactions;
    private final MongoCollection<Document> changes;

    MongoReactionStore(MongoCollection<Document> reactions, MongoCollection<Document> changes) {
        this.reactions = reactions;
        this.changes = changes;
    }

    @Override
    public void add(String conversationId, long seq, String messageId, String userId, String emoji, long version) {
        reactions.updateOne(key(conversationId, seq, userId, emoji),
                new Document("$setOnInsert", new Document("reactionVersion", version)),
                new UpdateOptions().upsert(true));
        touched(conversationId, seq, messageId, version);
    }

    @Override
    public void remove(String conversationId, long seq, String messageId, String userId, String emoji, long version) {
        reactions.deleteOne(key(conversationId, seq, userId, emoji));
        touched(conversationId, seq, messageId, version);
    }

    @Override
    public void deleteOfMessage(String conversationId, long seq) {
        reactions.deleteMany(new Document("conversationId", conversationId).append("seq", seq));
    }

    private void touched(String conversationId, long seq, String messageId, long version) {
        changes.updateOne(new Document("conversationId", conversationId).append("seq", seq),
                new Document("$max", new Document("reactionVersion", version))
                        .append("$setOnInsert", new Document("messageId", messageId)),
                new UpdateOptions().upsert(true));
    }

    @Override
    public Map<Long, MessageReactions> ofMessages(String conversationId, Collection<Long> seqs) {
        if (seqs.isEmpty()) {
            return Map.of();
        }
        List<Document> found = new ArrayList<>();
        changes.find(new Document("conversationId", conversationId)
                .append("seq", new Document("$in", new ArrayList<>(seqs)))).into(found);
        return assemble(conversationId, found);
    }

    @Override
    public List<MessageReactions> changedSince(String conversationId, long afterVersion, int limit) {
        List<Document> found = new ArrayList<>();
        changes.find(new Document("conversationId", conversationId)
                        .append("reactionVersion", new Document("$gt", afterVersion)))
                .sort(new Document("reactionVersion", 1)).limit(limit).into(found);
        return new ArrayList<>(assemble(conversationId, found).values());
    }

    @Override
    public Map<String, Long> latestVersions(Collection<String> conversationIds) {
        Map<String, Long> latest = new LinkedHashMap<>();
        for (String conversationId : conversationIds) {
            Document newest = changes.find(new Document("conversationId", conversationId))
                    .sort(new Document("reactionVersion", -1)).limit(1).first();
            if (newest != null) {
                latest.put(conversationId, MongoReadStores.number(newest, "reactionVersion"));
            }
        }
        return latest;
    }

    private Map<Long, MessageReactions> assemble(String conversationId, List<Document> changed) {
        Map<Long, MessageReactions> result = new LinkedHashMap<>();
        if (changed.isEmpty()) {
            return result;
        }
        List<Long> seqs = changed.stream().map(d -> MongoReadStores.number(d, "seq")).toList();
        Map<Long, Map<String, List<String>>> byMessage = new LinkedHashMap<>();
        reactions.find(new Document("conversationId", conversationId).append("seq", new Document("$in", seqs)))
                .sort(new Document("reactionVersion", 1))
                .forEach(d -> byMessage.computeIfAbsent(MongoReadStores.number(d, "seq"), s -> new LinkedHashMap<>())
                        .computeIfAbsent(d.getString("emoji"), e -> new ArrayList<>())
                        .add(d.getString("userId")));
        for (Document change : changed) {
            long seq = MongoReadStores.number(change, "seq");
            List<Reaction> list = new ArrayList<>();
            byMessage.getOrDefault(seq, Map.of()).forEach((emoji, users) ->
                    list.add(new Reaction(emoji, users.size(), List.copyOf(users))));
            result.put(seq, new MessageReactions(conversationId, seq, change.getString("messageId"), List.copyOf(list),
                    MongoReadStores.number(change, "reactionVersion")));
        }
        return result;
    }

    private static Document key(String conversationId, long seq, String userId, String emoji) {
        return new Document("conversationId", conversationId).append("seq", seq).append("userId", userId)
                .append("emoji", emoji);
    }

    @Override
    public void clear() {
        reactions.deleteMany(new Document());
        changes.deleteMany(new Document());
    }
}
