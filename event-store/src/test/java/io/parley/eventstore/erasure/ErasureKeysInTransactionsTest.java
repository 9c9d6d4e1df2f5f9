package io.parley.eventstore.erasure;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys are looked up and created inside the event store's append transaction, as the serializer does it: no second
 * pooled connection, and no key remembered from a transaction that rolled back.
 */
class ErasureKeysInTransactionsTest {

    private final HikariDataSource pool = pool(2);
    private final ErasureKeys keys = new ErasureKeys(pool, Duration.ofSeconds(30));
    private final TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(pool));

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void moreFirstSendsAtOnceThanPooledConnectionsAllGetAKey() throws Exception {
        int senders = 12; // six times the pool: each holds a connection (its append) while it needs a key
        ExecutorService threads = Executors.newFixedThreadPool(senders);
        try {
            List<CompletableFuture<String>> done = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                String user = "user-" + i;
                done.add(CompletableFuture.supplyAsync(() -> tx.execute(status -> {
                    sleep(); // hold the transaction's connection, as an append does
                    return keys.activeKeyOf(user).getKey();
                }), threads));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            for (int i = 0; i < senders; i++) {
                assertThat(storedKeyIds("user-" + i)).containsExactly(done.get(i).get());
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aKeyCreatedInATransactionThatRollsBackIsNeverUsed() throws Exception {
        String rolledBack = tx.execute(status -> {
            String keyId = keys.activeKeyOf("alice").getKey();
            status.setRollbackOnly();
            return keyId;
        });
        assertThat(storedKeyIds("alice")).isEmpty();
        String kept = tx.execute(status -> keys.activeKeyOf("alice").getKey());
        assertThat(kept).isNotEqualTo(rolledBack);
        assertThat(storedKeyIds("alice")).containsExactly(kept);
        assertThat(keys.activeKeyOf("alice").getKey()).isEqualTo(kept); // cached after the commit
    }

    private List<String> storedKeyIds(String user) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = pool.getConnection();
             PreparedStatement find = c.prepareStatement("SELECT key_id FROM erasure_keys WHERE user_id = ?")) {
            find.setString(1, user);
            try (ResultSet rows = find.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
        }
        return ids;
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static HikariDataSource pool(int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:keys-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(3_000);
        return new HikariDataSource(config);
    }
}
