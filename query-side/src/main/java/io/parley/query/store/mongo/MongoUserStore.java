package io.parley.query.store.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.UpdateOptions;
import io.parley.api.user.UserQueries.UserView;
import io.parley.query.store.UserStore;
import org.bson.Document;

import java.util.Optional;

import static io.parley.query.store.mongo.MongoReadStores.date;
import static io.parley.query.store.mongo.MongoReadStores.instant;

final class MongoUserStore implements UserStore {

    private final MongoCollection<Document> users;

    MongoUserStore(MongoCollection<Document> users) {
        this.users = users;
    }

    @Override
    public void register(UserView user) {
        users.updateOne(id(user.userId()), new Document("$setOnInsert", new Document("username", user.username())
                        .append("displayName", user.displayName())
                        .append("registeredAt", date(user.registeredAt()))),
                new UpdateOptions().upsert(true));
    }

    @Override
    public void changeDisplayName(String userId, String displayName) {
        users.updateOne(id(userId), new Document("$set", new Document("displayName", displayName)));
    }

    @Override
    public Optional<UserView> find(String userId) {
        return Optional.ofNullable(users.find(id(userId)).first())
                .map(d -> new UserView(d.getString("_id"), d.getString("username"), d.getString("displayName"),
                        instant(d, "registeredAt")));
    }

    @Override
    public void clear() {
        users.deleteMany(new Document());
    }

    private static Document id(String userId) {
        return new Document("_id", userId);
    }
}
