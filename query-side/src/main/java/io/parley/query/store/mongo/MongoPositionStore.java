package io.parley.query.store.mongo;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import io.parley.query.store.PositionStore;
import io.parley.query.store.ProjectionPosition;
import org.bson.Document;

import java.util.ArrayList;
import java.util.List;

/** Positions in the collection {@code positions}, one document per processor segment. */
final class MongoPositionStore implements PositionStore {

    private final MongoCollection<Document> positions;

    MongoPositionStore(MongoCollection<Document> positions) {
        this.positions = positions;
    }

    @Override
    public void save(String processor, ProjectionPosition position) {
        positions.replaceOne(new Document("_id", processor + "/" + position.segment()),
                new Document("processor", processor)
                        .append("segment", position.segment())
                        .append("position", position.index())
                        .append("gaps", position.gaps())
                        .append("replaying", position.replaying()),
                new ReplaceOptions().upsert(true));
    }

    @Override
    public List<ProjectionPosition> of(String processor) {
        List<ProjectionPosition> found = new ArrayList<>();
        positions.find(new Document("processor", processor)).sort(Sorts.ascending("segment")).forEach(d -> found.add(
                new ProjectionPosition(d.getInteger("segment"), MongoReadStores.number(d, "position"),
                        d.getList("gaps", Number.class).stream().map(Number::longValue).toList(),
                        d.getBoolean("replaying", false))));
        return found;
    }
}
