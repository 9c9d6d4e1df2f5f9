package io.parley.query.store.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.UpdateOptions;
import io.parley.api.conversation.ConversationEvents.Member;
import io.parley.api.conversation.ConversationType;
import io.parley.api.conversation.MemberRole;
import io.parley.query.store.ConversationRecord;
import io.parley.query.store.ConversationStore;
import org.bson.Document;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.parley.query.store.mongo.MongoReadStores.date;
import static io.parley.query.store.mongo.MongoReadStores.instant;
import static io.parley.query.store.mongo.MongoReadStores.number;

final class MongoConversationStore implements ConversationStore {

    private final MongoCollection<Document> conversations;

    MongoConversationStore(MongoCollection<Document> conversations) {
        this.conversations = conversations;
    }

    @Override
    public void create(ConversationRecord c) {
        Document fields = new Document("type", c.type().name())
                .append("name", c.name())
                .append("members", members(c.members()))
                .append("membersVersion", c.membersVersion())
                .append("lastSeq", c.lastSeq())
                .append("updatedAt", date(c.updatedAt()));
        conversations.updateOne(id(c.conversationId()), new Document("$setOnInsert", fields),
                new UpdateOptions().upsert(true));
    }

    @Override
    public Optional<ConversationRecord> find(String conversationId) {
        return Optional.ofNullable(conversations.find(id(conversationId)).first()).map(MongoConversationStore::record);
    }

    @Override
    public List<ConversationRecord> findAll(Collection<String> conversationIds) {
        List<ConversationRecord> found = new ArrayList<>(conversationIds.size());
        conversations.find(new Document("_id", new Document("$in", List.copyOf(conversationIds))))
                .forEach(d -> found.add(record(d)));
        return found;
    }

    @Override
    public boolean replaceMembers(String conversationId, List<Member> members, long version, Instant at) {
        return conversations.updateOne(id(conversationId).append("membersVersion", new Document("$lt", version)),
                new Document("$set", new Document("members", members(members)).append("membersVersion", version))
                        .append("$max", new Document("updatedAt", date(at))))
                .getMatchedCount() > 0;
    }

    @Override
    public void messageAdded(String conversationId, long seq, Instant at) {
        conversations.updateOne(id(conversationId),
                new Document("$max", new Document("lastSeq", seq).append("updatedAt", date(at))));
    }

    @Override
    public void clear() {
        conversations.deleteMany(new Document());
    }

    private static Document id(String conversationId) {
        return new Document("_id", conversationId);
    }

    private static List<Document> members(List<Member> members) {
        Map<String, Member> unique = new LinkedHashMap<>();
        members.forEach(m -> unique.putIfAbsent(m.userId(), m));
        return unique.values().stream()
                .map(m -> new Document("userId", m.userId()).append("role", m.role().name()))
                .toList();
    }

    private static ConversationRecord record(Document d) {
        List<Member> members = d.getList("members", Document.class, List.of()).stream()
                .map(m -> new Member(m.getString("userId"), MemberRole.valueOf(m.getString("role"))))
                .toList();
        return new ConversationRecord(d.getString("_id"), ConversationType.valueOf(d.getString("type")),
                d.getString("name"), members, number(d, "membersVersion"), number(d, "lastSeq"),
                instant(d, "updatedAt"));
    }
}
