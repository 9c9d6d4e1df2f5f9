package io.parley.query.store.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.UpdateOptions;
import io.parley.api.user.UserQueries.BlockedUser;
import io.parley.query.store.BlockStore;
import org.bson.Document;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Collection {@code blocks}: {userId, blockedUserId, blockedAt}, unique on (userId, blockedUserId). */
final class MongoBlockStore implements BlockStore {

    private final MongoCollection<Document> blocks;

    MongoBlockStore(MongoCollection<Document> blocks) {
        this.blocks = blocks;
    }

    @Override
    public void block(String userId, String blockedUserId, Instant at) {
        blocks.updateOne(new Document("userId", userId).append("blockedUserId", blockedUserId),
                new Document("$setOnInsert", new Document("blockedAt", MongoReadStores.date(at))),
                new UpdateOptions().upsert(true));
    }

    @Override
    public void unblock(String userId, String blockedUserId) {
        blocks.deleteOne(new Document("userId", userId).append("blockedUserId", blockedUserId));
    }

    @Override
    public List<BlockedUser> blockedBy(String userId) {
        List<BlockedUser> found = new ArrayList<>();
        blocks.find(new Document("userId", userId)).sort(new Document("blockedAt", 1).append("blockedUserId", 1))
                .forEach(d -> found.add(new BlockedUser(d.getString("blockedUserId"),
                        MongoReadStores.instant(d, "blockedAt"))));
        return found;
    }

    @Override
    public void clear() {
        blocks.deleteMany(new Document());
    }
}
