package io.parley.query.store.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import io.parley.query.store.ReadStores;
import org.bson.Document;

import java.time.Instant;
import java.util.Date;

/**
 * The {@code mongo} read store: collections {@code messages}, {@code conversations}, {@code inbox}, {@code users} and
 * {@code positions}; {@code replies}, {@code mentions}, {@code reactions}, {@code reactionChanges} and {@code blocks}
 * (issue 16).
 *
 * <p>No transactions: every write stands alone and is idempotent (an upsert with {@code $setOnInsert}/{@code $max}, or an
 * update guarded by a sequence number), and the projection orders its writes so that a crash between two of them is
 * repaired by the redelivery of the event.
 *
 * <p>Filters are single documents, never {@code $and}. Upserts and point updates use exactly the keys of a unique index
 * (the MongoDB-wire test server only uses an index for such a filter). Guarded updates add the guard field to that same
 * document; real MongoDB serves them from the unique index, the test server scans (fine for functional tests).
 */
public final class MongoReadStores {

    private MongoReadStores() {
    }

    /** Creates the indexes when missing, and the stores. */
    public static ReadStores create(MongoDatabase database) {
        MongoCollection<Document> messages = database.getCollection("messages");
        MongoCollection<Document> conversations = database.getCollection("conversations");
        MongoCollection<Document> inbox = database.getCollection("inbox");
        MongoCollection<Document> users = database.getCollection("users");
        IndexOptions unique = new IndexOptions().unique(true);
        messages.createIndex(Indexes.ascending("conversationId", "seq"), unique);
        inbox.createIndex(Indexes.ascending("userId", "conversationId"), unique);
        inbox.createIndex(Indexes.compoundIndex(Indexes.ascending("userId"), Indexes.descending("updatedAt")));
        inbox.createIndex(Indexes.ascending("conversationId"));
        users.createIndex(Indexes.ascending("username"));
        MongoCollection<Document> replies = database.getCollection("replies");
        MongoCollection<Document> mentions = database.getCollection("mentions");
        MongoCollection<Document> reactions = database.getCollection("reactions");
        MongoCollection<Document> reactionChanges = database.getCollection("reactionChanges");
        MongoCollection<Document> blocks = database.getCollection("blocks");
        replies.createIndex(Indexes.ascending("conversationId", "seq"), unique);
        mentions.createIndex(Indexes.ascending("conversationId", "seq", "userId"), unique);
        mentions.createIndex(Indexes.ascending("userId", "read"));
        reactions.createIndex(Indexes.ascending("conversationId", "seq", "userId", "emoji"), unique);
        reactionChanges.createIndex(Indexes.ascending("conversationId", "seq"), unique);
        reactionChanges.createIndex(Indexes.ascending("conversationId", "reactionVersion"));
        blocks.createIndex(Indexes.ascending("userId", "blockedUserId"), unique);
        return new ReadStores(new MongoTimelineStore(messages), new MongoConversationStore(conversations),
                new MongoInboxStore(inbox), new MongoUserStore(users),
                new MongoPositionStore(database.getCollection("positions")), new MongoReplyStore(replies),
                new MongoMentionStore(mentions), new MongoReactionStore(reactions, reactionChanges),
                new MongoBlockStore(blocks));
    }

    static Date date(Instant instant) {
        return instant == null ? null : Date.from(instant);
    }

    static Instant instant(Document doc, String field) {
        Date date = doc.getDate(field);
        return date == null ? null : date.toInstant();
    }

    static long number(Document doc, String field) {
        Number n = doc.get(field, Number.class);
        return n == null ? 0 : n.longValue();
    }
}
