package io.parley.query.store.mongo;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.parley.query.ReadModelContract;
import io.parley.query.store.ReadStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.net.InetSocketAddress;
import java.util.UUID;

/**
 * The read-model contract on the {@code mongo} store, through the real MongoDB driver against the in-process
 * MongoDB-wire test server (memory backend): one server per class, a fresh database per test.
 */
class MongoReadModelTest extends ReadModelContract {

    private static MongoServer server;
    private static MongoClient client;

    @BeforeAll
    static void startServer() {
        server = new MongoServer(new MemoryBackend());
        server.bind("127.0.0.1", 0);
        InetSocketAddress address = server.getLocalAddress();
        client = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.shutdownNow();
    }

    @Override
    protected ReadStores freshStores() {
        var database = client.getDatabase("rm_" + UUID.randomUUID().toString().replace("-", ""));
        ReadStores stores = MongoReadStores.create(database);
        MongoReadStores.create(database); // creating the indexes again at the next start is harmless
        return stores;
    }
}
