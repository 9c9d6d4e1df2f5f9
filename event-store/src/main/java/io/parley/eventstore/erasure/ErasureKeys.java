package io.parley.eventstore.erasure;

import io.parley.eventstore.EventStoreSchema;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import javax.sql.DataSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The per-user keys that encrypt message text in events, kept outside the event store in the table
 * {@code erasure_keys} (migrated when the keys are created: {@code db/migration/erasure/{vendor}}). Erasing a user sets
 * their keys to NULL (the rows stay, so an erased key is told apart from an unknown one): everything encrypted with
 * them is unreadable from then on. Keys are cached per process for at most {@code cacheTtl}, which bounds how long
 * another process may still decrypt after an erasure.
 * <p>
 * Keys are read and created on the connection of the caller's transaction when there is one (the event store's
 * append): taking a second connection from the same pool while holding one deadlocks as soon as every pooled
 * connection belongs to an append waiting for a key (seen in the benchmark: 100 first sends at once, pool of 16).
 * A key created inside a transaction commits or rolls back with the events it encrypted, and is cached only after the
 * commit, so no event is ever written with a key that does not exist. Two transactions creating a first key for the
 * same user at once both succeed; the user then has two valid keys, and erasure destroys both.
 * <p>
 * When the events are not in this database (the event log, {@code parley.event-store=log}, with H2), their write
 * cannot wait for the key's commit, so a new active key is inserted on a connection of its own and H2's file forced
 * to the disk before the key is used: an event is on the disk only after the key it was encrypted with. An append that
 * then fails leaves an unused key. Only creating a key takes that second connection, once per user.
 */
public class ErasureKeys {

    private record Cached(Optional<byte[]> key, Instant loadedAt) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource dataSource;
    private final Duration cacheTtl;
    private final boolean newKeysCommittedAtOnce;
    private final Map<String, Cached> byKeyId = new ConcurrentHashMap<>();
    private final Map<String, String> activeKeyIdOfUser = new ConcurrentHashMap<>();
    private final List<Runnable> erasureListeners = new CopyOnWriteArrayList<>();

    public ErasureKeys(DataSource dataSource, Duration cacheTtl) {
        this(dataSource, cacheTtl, false);
    }

    /**
     * @param newKeysCommittedAtOnce whether a new active key is on the disk before it is used, committed on a
     *                               connection of its own and H2's file forced (events stored outside this H2
     *                               database); otherwise with the caller's transaction
     */
    public ErasureKeys(DataSource dataSource, Duration cacheTtl, boolean newKeysCommittedAtOnce) {
        this.dataSource = dataSource;
        this.cacheTtl = cacheTtl;
        this.newKeysCommittedAtOnce = newKeysCommittedAtOnce;
        EventStoreSchema.migrate(dataSource, "erasure");
    }

    /** The key id and key a user's new text is encrypted with, created on first use. */
    public Map.Entry<String, byte[]> activeKeyOf(String userId) {
        String keyId = activeKeyIdOfUser.get(userId);
        if (keyId != null) {
            Optional<byte[]> key = key(keyId);
            if (key.isPresent()) {
                return Map.entry(keyId, key.get());
            }
        }
        Connection c = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement find = c.prepareStatement("SELECT key_id, key_bytes FROM erasure_keys"
                     + " WHERE user_id = ? AND key_bytes IS NOT NULL ORDER BY created_at DESC")) {
            find.setString(1, userId);
            try (ResultSet rows = find.executeQuery()) {
                if (rows.next()) {
                    String found = rows.getString(1);
                    byte[] key = rows.getBytes(2);
                    remember(userId, found, key);
                    return Map.entry(found, key);
                }
            }
            byte[] key = new byte[32];
            RANDOM.nextBytes(key);
            String newId = UUID.randomUUID().toString();
            if (newKeysCommittedAtOnce) {
                insertOnTheDisk(newId, userId, key);
                remember(userId, newId, key);
                return Map.entry(newId, key);
            }
            insert(c, newId, userId, key);
            if (DataSourceUtils.isConnectionTransactional(c, dataSource)) {
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        remember(userId, newId, key);
                    }
                });
            } else {
                if (!c.getAutoCommit()) {
                    c.commit();
                }
                remember(userId, newId, key);
            }
            return Map.entry(newId, key);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read or create an erasure key", e);
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    private static void insert(Connection c, String keyId, String userId, byte[] key) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO erasure_keys"
                + " (key_id, user_id, key_bytes, created_at) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, keyId);
            insert.setString(2, userId);
            insert.setBytes(3, key);
            insert.setTimestamp(4, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
    }

    /**
     * Inserts a key on a connection of its own and forces H2's file to the disk ({@code CHECKPOINT SYNC}): the key is
     * safe from a power loss before an event encrypted with it is written to the event log, which forces every write.
     */
    private void insertOnTheDisk(String keyId, String userId, byte[] key) throws SQLException {
        try (Connection own = dataSource.getConnection()) {
            own.setAutoCommit(true);
            insert(own, keyId, userId, key);
            try (Statement checkpoint = own.createStatement()) {
                checkpoint.execute("CHECKPOINT SYNC");
            }
        }
    }

    /**
     * The key a copy of the user's text is sealed with outside the event store (read models, the search index's
     * stored fields are not, notifications): their live key, created only for a user who never had one. Empty when
     * every key of theirs is erased: their text must then not be kept at all, and is never sealed under a new key
     * that the erasure did not destroy (a projection may still hold text it decrypted just before the erasure).
     */
    public Optional<Map.Entry<String, byte[]>> sealingKeyOf(String userId) {
        String keyId = activeKeyIdOfUser.get(userId);
        if (keyId != null) {
            Optional<byte[]> key = key(keyId);
            if (key.isPresent()) {
                return Optional.of(Map.entry(keyId, key.get()));
            }
        }
        boolean erased = false;
        Connection c = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement find = c.prepareStatement("SELECT key_id, key_bytes FROM erasure_keys"
                + " WHERE user_id = ? ORDER BY created_at DESC")) {
            find.setString(1, userId);
            try (ResultSet rows = find.executeQuery()) {
                while (rows.next()) {
                    byte[] key = rows.getBytes(2);
                    if (key != null) {
                        remember(userId, rows.getString(1), key);
                        return Optional.of(Map.entry(rows.getString(1), key));
                    }
                    erased = true;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read an erasure key", e);
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
        return erased ? Optional.empty() : Optional.of(activeKeyOf(userId));
    }

    /** Whether the user ever had a key (erased or not): they wrote text under one. */
    public boolean hasHadKeys(String userId) {
        Connection c = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement find = c.prepareStatement("SELECT 1 FROM erasure_keys WHERE user_id = ?")) {
            find.setString(1, userId);
            find.setMaxRows(1);
            try (ResultSet rows = find.executeQuery()) {
                return rows.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the erasure keys", e);
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    /** The key with this id, or empty when it was erased (or never existed). */
    public Optional<byte[]> key(String keyId) {
        Cached cached = byKeyId.get(keyId);
        if (cached != null && cached.loadedAt().plus(cacheTtl).isAfter(Instant.now())) {
            return cached.key();
        }
        Optional<byte[]> key;
        Connection c = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement find = c.prepareStatement("SELECT key_bytes FROM erasure_keys WHERE key_id = ?")) {
            find.setString(1, keyId);
            try (ResultSet rows = find.executeQuery()) {
                key = rows.next() ? Optional.ofNullable(rows.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read an erasure key", e);
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
        byKeyId.put(keyId, new Cached(key, Instant.now()));
        return key;
    }

    /** Runs after every erasure: whoever derived material from the keys drops it (the key bytes are gone). */
    public void onErase(Runnable listener) {
        erasureListeners.add(listener);
    }

    /** Destroys every key of the user; returns how many there were. Text encrypted with them is gone for good. */
    public synchronized int erase(String userId) {
        activeKeyIdOfUser.remove(userId);
        try (Connection c = dataSource.getConnection();
             PreparedStatement erase = c.prepareStatement("UPDATE erasure_keys SET key_bytes = NULL, erased_at = ?"
                     + " WHERE user_id = ? AND key_bytes IS NOT NULL")) {
            erase.setTimestamp(1, Timestamp.from(Instant.now()));
            erase.setString(2, userId);
            int erased = erase.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
            byKeyId.clear();
            erasureListeners.forEach(Runnable::run);
            return erased;
        } catch (SQLException e) {
            throw new IllegalStateException("could not erase keys", e);
        }
    }

    private void remember(String userId, String keyId, byte[] key) {
        activeKeyIdOfUser.put(userId, keyId);
        byKeyId.put(keyId, new Cached(Optional.of(key), Instant.now()));
    }
}
