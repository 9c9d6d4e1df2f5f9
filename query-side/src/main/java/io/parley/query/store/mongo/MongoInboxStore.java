package io.parley.query.store.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.UpdateManyModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import io.parley.query.store.InboxEntry;
import io.parley.query.store.InboxStore;
import io.parley.query.store.MessageArrival;
import org.bson.Document;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static io.parley.query.store.mongo.MongoReadStores.date;
import static io.parley.query.store.mongo.MongoReadStores.instant;
import static io.parley.query.store.mongo.MongoReadStores.number;

final class MongoInboxStore implements InboxStore {

    private final MongoCollection<Document> inbox;

    MongoInboxStore(MongoCollection<Document> inbox) {
        this.inbox = inbox;
    }

    @Override
    public void join(String userId, String conversationId, long lastSeq, Instant at) {
        Document fields = new Document("lastSeq", lastSeq)
                .append("deliveredSeq", lastSeq)
                .append("readSeq", lastSeq)
                .append("unread", 0L)
                .append("updatedAt", date(at));
        inbox.updateOne(key(userId, conversationId), new Document("$setOnInsert", fields),
                new UpdateOptions().upsert(true));
    }

    @Override
    public void leave(String userId, String conversationId) {
        inbox.deleteOne(key(userId, conversationId));
    }

    @Override
    public void messageArrived(String conversationId, long seq, String senderId, Instant at) {
        Document before = new Document("$lt", seq);
        Document others = new Document("conversationId", conversationId)
                .append("userId", new Document("$ne", senderId))
                .append("lastSeq", before);
        Document advance = new Document("$set", new Document("lastSeq", seq))
                .append("$max", new Document("updatedAt", date(at)));
        // Ordered: the first update counts the message for members who have not read that far and moves their lastSeq,
        // so the second only reaches the rare rows whose read cursor is already past it. The lastSeq guard makes a
        // redelivered message a no-op.
        inbox.bulkWrite(List.of(
                new UpdateManyModel<>(new Document(others).append("readSeq", before),
                        new Document(advance).append("$inc", new Document("unread", 1L))),
                new UpdateManyModel<>(others, advance),
                new UpdateOneModel<>(key(senderId, conversationId).append("lastSeq", before),
                        new Document("$set", new Document("lastSeq", seq).append("unread", 0L))
                                .append("$max", new Document("readSeq", seq)
                                        .append("deliveredSeq", seq)
                                        .append("updatedAt", date(at))))),
                new BulkWriteOptions().ordered(true));
    }

    /**
     * Per run of consecutive seqs, one ordered bulk write instead of one per message over every row: each sender's own
     * row, when its last message of the run is above the row's lastSeq and its readSeq (it has read up to that message
     * and counts the run's messages after it as unread); then every other member's row that took none of the run and
     * has read none of it (each message one more unread). Rows left behind the run's last seq (a row that took part of
     * it before a crash between writes, or a read cursor past its lastSeq) then take the messages one at a time, as
     * {@link #messageArrived} guards them.
     */
    @Override
    public void messagesArrived(String conversationId, List<MessageArrival> arrivals) {
        for (List<MessageArrival> run : MessageArrival.runs(arrivals)) {
            long last = run.get(run.size() - 1).seq();
            boolean rowsBehind = true;
            if (run.size() > 1) {
                writeRun(conversationId, run);
                rowsBehind = inbox.countDocuments(new Document("conversationId", conversationId)
                        .append("lastSeq", new Document("$lt", last))) > 0;
            }
            if (rowsBehind) {
                run.forEach(a -> messageArrived(conversationId, a.seq(), a.senderId(), a.at()));
            }
        }
    }

    private void writeRun(String conversationId, List<MessageArrival> run) {
        long first = run.get(0).seq();
        long last = run.get(run.size() - 1).seq();
        Date latest = date(MessageArrival.latest(run));
        Map<String, Long> lastOfSender = MessageArrival.lastOfEachSender(run);
        List<WriteModel<Document>> writes = new ArrayList<>();
        lastOfSender.forEach((sender, own) -> writes.add(new UpdateOneModel<>(
                key(sender, conversationId).append("lastSeq", new Document("$lt", own))
                        .append("readSeq", new Document("$lte", own)),
                new Document("$set", new Document("lastSeq", last).append("unread", last - own))
                        .append("$max", new Document("readSeq", own).append("deliveredSeq", own)
                                .append("updatedAt", latest)))));
        writes.add(new UpdateManyModel<>(new Document("conversationId", conversationId)
                .append("userId", new Document("$nin", List.copyOf(lastOfSender.keySet())))
                .append("lastSeq", new Document("$lt", first))
                .append("readSeq", new Document("$lt", first)),
                new Document("$set", new Document("lastSeq", last))
                        .append("$inc", new Document("unread", (long) run.size()))
                        .append("$max", new Document("updatedAt", latest))));
        inbox.bulkWrite(writes, new BulkWriteOptions().ordered(true));
    }

    @Override
    public void delivered(String userId, String conversationId, long upToSeq) {
        inbox.updateOne(key(userId, conversationId), new Document("$max", new Document("deliveredSeq", upToSeq)));
    }

    @Override
    public void read(String userId, String conversationId, long upToSeq, long unreadAfter) {
        inbox.updateOne(key(userId, conversationId).append("readSeq", new Document("$lt", upToSeq)),
                new Document("$set", new Document("readSeq", upToSeq).append("unread", unreadAfter))
                        .append("$max", new Document("deliveredSeq", upToSeq)));
    }

    @Override
    public void recount(String userId, String conversationId, long readSeq, long unread) {
        inbox.updateOne(key(userId, conversationId).append("readSeq", readSeq),
                new Document("$set", new Document("unread", unread)));
    }

    @Override
    public List<InboxEntry> ofUser(String userId) {
        return rows(inbox.find(new Document("userId", userId))
                .sort(new Document("updatedAt", -1).append("conversationId", 1)));
    }

    @Override
    public List<InboxEntry> ofConversation(String conversationId) {
        return rows(inbox.find(new Document("conversationId", conversationId)).sort(new Document("userId", 1)));
    }

    private static List<InboxEntry> rows(Iterable<Document> documents) {
        List<InboxEntry> rows = new ArrayList<>();
        documents.forEach(d -> rows.add(new InboxEntry(d.getString("userId"), d.getString("conversationId"),
                number(d, "lastSeq"), number(d, "deliveredSeq"), number(d, "readSeq"), number(d, "unread"),
                instant(d, "updatedAt"))));
        return rows;
    }

    @Override
    public void clear() {
        inbox.deleteMany(new Document());
    }

    private static Document key(String userId, String conversationId) {
        return new Document("userId", userId).append("conversationId", conversationId);
    }
}
