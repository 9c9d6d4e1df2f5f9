package io.parley.query.store.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import io.parley.api.user.UserQueries.UserView;
import io.parley.query.store.UserStore;
import org.bson.Document;

import java.util.ArrayList;
import java.util.List;
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
        return Optional.ofNullable(users.find(id(userId)).first()).map(MongoUserStore::view);
    }

    /**
     * An anchored, case-sensitive regular expression ({@code ^} and the prefix with every character but letters and
     * digits escaped), which MongoDB answers from the {@code username} index as a range scan. Escaping by hand rather
     * than with {@code \Q...\E} keeps the pattern meaning the same in MongoDB's PCRE and in Java's regex engine (used
     * by the MongoDB-wire test server).
     */
    @Override
    public List<UserView> findByUsernamePrefix(String prefix, int limit, int offset) {
        List<UserView> found = new ArrayList<>();
        users.find(new Document("username", new Document("$regex", "^" + escapeRegex(prefix))))
                .sort(Sorts.ascending("username", "_id"))
                .skip(offset)
                .limit(limit)
                .forEach(d -> found.add(view(d)));
        return found;
    }

    static String escapeRegex(String text) {
        StringBuilder escaped = new StringBuilder(text.length() * 2);
        text.codePoints().forEach(c -> {
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!plain && c < 128) {
                escaped.append('\\');
            }
            escaped.appendCodePoint(c);
        });
        return escaped.toString();
    }

    private static UserView view(Document d) {
        return new UserView(d.getString("_id"), d.getString("username"), d.getString("displayName"),
                instant(d, "registeredAt"));
    }

    @Override
    public void clear() {
        users.deleteMany(new Document());
    }

    private static Document id(String userId) {
        return new Document("_id", userId);
    }
}
