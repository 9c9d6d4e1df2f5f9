package io.parley.query.store.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.WriteModel;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.query.store.MessageKey;
import io.parley.query.store.TimelineStore;
import io.parley.api.media.Attachment;
import org.bson.Document;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

import static io.parley.query.store.mongo.MongoReadStores.date;
import static io.parley.query.store.mongo.MongoReadStores.instant;

final class MongoTimelineStore implements TimelineStore {

    private static final int CHUNK = 100;

    private final MongoCollection<Document> messages;

    MongoTimelineStore(MongoCollection<Document> messages) {
        this.messages = messages;
    }

    @Override
    public void append(MessageView m) {
        messages.updateOne(key(m.conversationId(), m.seq()), unlessStored(m), new UpdateOptions().upsert(true));
    }

    /** One ordered bulk write of the same upserts: a message given twice finds its first document and is skipped. */
    @Override
    public void appendAll(List<MessageView> batch) {
        if (batch.size() == 1) {
            append(batch.get(0));
        } else if (!batch.isEmpty()) {
            messages.bulkWrite(batch.stream().<WriteModel<Document>>map(m -> new UpdateOneModel<>(
                    key(m.conversationId(), m.seq()), unlessStored(m), new UpdateOptions().upsert(true))).toList());
        }
    }

    /** The message's fields, set only when the upsert inserts: a stored message is left as it is. */
    private static Document unlessStored(MessageView m) {
        return new Document("$setOnInsert", new Document("messageId", m.messageId())
                .append("senderId", m.senderId())
                .append("text", m.text())
                .append("sentAt", date(m.sentAt()))
                .append("editedAt", date(m.editedAt()))
                .append("deleted", m.deleted())
                .append("attachments", m.attachments() == null ? List.of()
                        : m.attachments().stream().map(MongoTimelineStore::attachment).toList()));
    }

    @Override
    public void edit(String conversationId, long seq, String text, Instant editedAt) {
        messages.updateOne(key(conversationId, seq).append("deleted", false),
                new Document("$set", new Document("text", text).append("editedAt", date(editedAt))));
    }

    @Override
    public void delete(String conversationId, long seq) {
        messages.updateOne(key(conversationId, seq), new Document("$set",
                new Document("deleted", true).append("text", null).append("attachments", List.of())));
    }

    @Override
    public List<MessageView> range(String conversationId, long afterSeq, long beforeSeq, int limit, boolean newest) {
        Document filter = new Document("conversationId", conversationId)
                .append("seq", new Document("$gt", afterSeq).append("$lt", beforeSeq));
        List<MessageView> rows = new ArrayList<>(limit);
        messages.find(filter).sort(new Document("seq", newest ? -1 : 1)).limit(limit)
                .forEach(d -> rows.add(view(d)));
        if (newest) {
            Collections.reverse(rows);
        }
        return rows;
    }

    @Override
    public List<MessageView> findAll(Collection<MessageKey> keys) {
        List<MessageKey> all = List.copyOf(keys);
        List<MessageView> found = new ArrayList<>(all.size());
        for (int from = 0; from < all.size(); from += CHUNK) {
            List<Document> anyOf = all.subList(from, Math.min(all.size(), from + CHUNK)).stream()
                    .map(k -> key(k.conversationId(), k.seq()))
                    .toList();
            messages.find(new Document("$or", anyOf)).forEach(d -> found.add(view(d)));
        }
        return found;
    }

    @Override
    public long countUnread(String conversationId, String userId, long readSeq) {
        return messages.countDocuments(new Document("conversationId", conversationId)
                .append("seq", new Document("$gt", readSeq))
                .append("senderId", new Document("$ne", userId))
                .append("deleted", false));
    }

    @Override
    public void clear() {
        messages.deleteMany(new Document());
    }

    private static Document key(String conversationId, long seq) {
        return new Document("conversationId", conversationId).append("seq", seq);
    }

    private static MessageView view(Document d) {
        List<Document> attachments = d.getList("attachments", Document.class);
        return new MessageView(d.getString("conversationId"), d.getString("messageId"), MongoReadStores.number(d, "seq"),
                d.getString("senderId"), d.getString("text"), instant(d, "sentAt"), instant(d, "editedAt"),
                Boolean.TRUE.equals(d.getBoolean("deleted")), attachments == null ? List.of()
                        : attachments.stream().map(MongoTimelineStore::attachment).toList());
    }

    private static Document attachment(Attachment a) {
        return new Document("mediaId", a.mediaId()).append("name", a.name()).append("contentType", a.contentType())
                .append("size", a.size()).append("sha256", a.sha256()).append("width", a.width())
                .append("height", a.height()).append("thumbnail", a.thumbnail());
    }

    private static Attachment attachment(Document d) {
        return Attachment.of(d.getString("mediaId"), d.getString("name"), d.getString("contentType"),
                MongoReadStores.number(d, "size"), d.getString("sha256"), d.getInteger("width"),
                d.getInteger("height"), Boolean.TRUE.equals(d.getBoolean("thumbnail")));
    }
}
