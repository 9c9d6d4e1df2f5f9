package io.parley.eventstore.erasure;

import io.parley.api.conversation.ConversationEvents.MessageEdited;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import io.parley.eventstore.EventStoreSchema;
import io.parley.eventstore.audit.ChainVerifier;
import io.parley.eventstore.audit.JdbcEventHistory;
import io.parley.eventstore.audit.HashChainingStorageEngine;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.json.JacksonSerializer;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Message text encrypted per sender, unreadable once the sender's key is erased, with the hash chain intact. */
class CryptoShreddingTest {

    private final DataSource dataSource = h2();
    private final ErasureKeys keys = new ErasureKeys(dataSource, Duration.ofSeconds(30));
    private final TextCipher cipher = new TextCipher(keys);
    private final EncryptingSerializer serializer = new EncryptingSerializer(JacksonSerializer.defaultSerializer(),
            () -> cipher);

    @Test
    void encryptionIsDeterministicPerMessageAndBoundToIt() {
        String a = cipher.encrypt("alice", "c1/m1", "hello");
        assertThat(a).startsWith(TextCipher.PREFIX).doesNotContain("hello");
        assertThat(cipher.encrypt("alice", "c1/m1", "hello")).isEqualTo(a);
        assertThat(cipher.encrypt("alice", "c1/m2", "hello")).isNotEqualTo(a);
        assertThat(cipher.encrypt("bob", "c1/m1", "hello")).isNotEqualTo(a);
        assertThat(cipher.decrypt("c1/m1", a)).contains("hello");
        assertThat(cipher.decrypt("c1/m1", "never encrypted")).contains("never encrypted");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> cipher.decrypt("c1/m2", a))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void manySendersTextsEncryptedAndDecryptedOnManyThreadsAtOnceReadBackAsWritten() throws Exception {
        List<String> senders = List.of("alice", "bob", "carol");
        ExecutorService threads = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(8);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(threads.submit(() -> {
                    start.countDown();
                    start.await(); // all eight at once, so that a key's cipher is wanted by several threads together
                    int checked = 0;
                    for (int i = 0; i < 2_000; i++) {
                        // the three senders' keys in turn, each key used by every thread at once; texts of a few KB
                        // keep each cipher busy long enough for another thread to want it meanwhile
                        String sender = senders.get((i + thread) % senders.size());
                        String context = "c/" + thread + "/" + i;
                        String text = sender + " says " + i + " on " + thread + " " + "x".repeat(2_000 + i % 3_000);
                        String sealed = cipher.encrypt(sender, context, text);
                        assertThat(cipher.decrypt(context, sealed)).contains(text);
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Future<Integer> thread : done) {
                assertThat(thread.get(60, TimeUnit.SECONDS)).isEqualTo(2_000);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void erasingAUserMakesOnlyTheirTextUnreadable() {
        String alices = cipher.encrypt("alice", "c/m1", "mine");
        String bobs = cipher.encrypt("bob", "c/m2", "his");
        assertThat(keys.erase("alice")).isEqualTo(1);
        assertThat(cipher.decrypt("c/m1", alices)).isEmpty();
        assertThat(new TextCipher(new ErasureKeys(dataSource, Duration.ZERO)).decrypt("c/m1", alices)).isEmpty();
        assertThat(cipher.decrypt("c/m2", bobs)).contains("his");
        // a later message gets a fresh key
        String later = cipher.encrypt("alice", "c/m3", "again");
        assertThat(cipher.decrypt("c/m3", later)).contains("again");
    }

    @Test
    void theSerializerStoresCiphertextAndReadsPlainRecordsOrNullAfterErasure() {
        // mentions and replyTo (issue 16) survive the encryption round trip with the text
        MessageSent sent = new MessageSent("c", "m1", 1, "alice", "x1", "top secret", List.of(),
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), List.of("bob"), 7L);
        SerializedObject<byte[]> stored = serializer.serialize(sent, byte[].class);
        assertThat(new String(stored.getData(), StandardCharsets.UTF_8)).doesNotContain("top secret")
                .contains(TextCipher.PREFIX);
        assertThat(serializer.<byte[], MessageSent>deserialize(stored)).isEqualTo(sent);
        MessageEdited edited = new MessageEdited("c", "m1", 1, "alice", "less secret", Instant.now());
        SerializedObject<byte[]> storedEdit = serializer.serialize(edited, byte[].class);
        keys.erase("alice");
        assertThat(serializer.<byte[], MessageSent>deserialize(stored).text()).isNull();
        assertThat(serializer.<byte[], MessageSent>deserialize(stored).mentions()).containsExactly("bob");
        assertThat(serializer.<byte[], MessageSent>deserialize(stored).replyTo()).isEqualTo(7L);
        assertThat(serializer.<byte[], MessageEdited>deserialize(storedEdit).text()).isNull();
    }

    @Test
    void theHashChainStillVerifiesAfterErasure() throws Exception {
        EventStoreSchema.migrate(dataSource);
        JdbcEventStorageEngine jdbc = JdbcEventStorageEngine.builder()
                .connectionProvider(dataSource::getConnection)
                .transactionManager(NoTransactionManager.INSTANCE)
                .eventSerializer(serializer).snapshotSerializer(serializer).build();
        HashChainingStorageEngine engine = new HashChainingStorageEngine(jdbc, serializer, 10);
        String conversation = "c-" + UUID.randomUUID();
        for (int seq = 0; seq < 3; seq++) {
            engine.appendEvents(new GenericDomainEventMessage<>("Conversation", conversation, seq,
                    new MessageSent(conversation, "m" + seq, seq + 1, "alice", "x" + seq, "text " + seq, List.of(),
                            Instant.now(), List.of(), null)));
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT payload FROM DomainEventEntry")) {
            while (rows.next()) {
                assertThat(new String(rows.getBytes(1), StandardCharsets.UTF_8)).doesNotContain("text ");
            }
        }
        ChainVerifier verifier = new ChainVerifier(new JdbcEventHistory(dataSource));
        assertThat(verifier.verify(conversation).valid()).isTrue();
        List<String> texts = new ArrayList<>();
        DomainEventStream before = engine.readEvents(conversation, 0);
        before.forEachRemaining(e -> texts.add(((MessageSent) e.getPayload()).text()));
        assertThat(texts).containsExactly("text 0", "text 1", "text 2");

        keys.erase("alice");
        assertThat(verifier.verify(conversation).valid()).isTrue();
        DomainEventStream after = engine.readEvents(conversation, 0);
        DomainEventMessage<?> first = after.next();
        assertThat(((MessageSent) first.getPayload()).text()).isNull();
    }

    private static DataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:keys-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return ds;
    }
}
