package io.parley.push.auth;

import io.parley.api.error.ConflictException;
import io.parley.push.EdgeSchema;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Usernames and password hashes, in their own JDBC table ({@code credentials}, migrated by {@link EdgeSchema}), never in
 * the event store: an event store is forever, and a credential must be replaceable and erasable. The table's unique
 * constraint is what makes a username taken.
 * <p>
 * All methods block (JDBC, and BCrypt costs tens of milliseconds by design): call them from a worker thread, never
 * from a Netty event loop.
 * <p>
 * Passwords are BCrypt-hashed after a SHA-256 pre-hash: BCrypt reads only 72 bytes (Spring Security refuses longer
 * input), while we accept passwords of up to 128 characters and want every character to count. The pre-hash is
 * Base64-encoded (44 ASCII characters) so no NUL byte reaches BCrypt.
 */
final class CredentialStore {

    /** A user's identity as the store knows it; deliberately without the hash. */
    record Credentials(String userId, String username, long tokenVersion) {

        Credentials(String userId, String username) {
            this(userId, username, 0);
        }
    }

    private final JdbcTemplate jdbc;
    private final BCryptPasswordEncoder encoder;
    private final Clock clock;
    /** Checked against for unknown usernames, so that they cost as much time as a wrong password. */
    private final String dummyHash;

    CredentialStore(DataSource dataSource, int bcryptStrength, Clock clock) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.encoder = new BCryptPasswordEncoder(bcryptStrength, new SecureRandom());
        this.clock = clock;
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.dummyHash = encoder.encode(preHash(Base64.getEncoder().encodeToString(random)));
    }

    /**
     * Stores a new user's credentials.
     *
     * @param username already validated; stored lower-case, so names differing only in case collide
     * @throws ConflictException when the username is taken
     */
    Credentials register(String userId, String username, String password) {
        String normalized = normalize(username);
        String hash = encoder.encode(preHash(password));
        try {
            jdbc.update("INSERT INTO credentials (user_id, username, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    userId, normalized, hash, Timestamp.from(clock.instant()));
        } catch (DuplicateKeyException e) {
            throw new ConflictException("username is taken");
        }
        return new Credentials(userId, normalized);
    }

    /**
     * The user whose username and password these are, or empty. Takes about as long for an unknown username as for a
     * wrong password, so the answer's timing does not reveal which usernames exist.
     */
    Optional<Credentials> authenticate(String username, String password) {
        if (username == null || password == null) {
            return Optional.empty();
        }
        return check("username", normalize(username), password);
    }

    /** The user with this id if {@code password} is theirs (a password change asks for the current one). */
    Optional<Credentials> authenticateById(String userId, String password) {
        if (userId == null || password == null) {
            return Optional.empty();
        }
        return check("user_id", userId, password);
    }

    private Optional<Credentials> check(String column, String value, String password) {
        List<Row> rows = jdbc.query("SELECT user_id, username, password_hash, token_version FROM credentials WHERE "
                        + column + " = ?",
                (rs, i) -> new Row(new Credentials(rs.getString(1), rs.getString(2), rs.getLong(4)), rs.getString(3)),
                value);
        if (rows.isEmpty()) {
            encoder.matches(preHash(password), dummyHash);
            return Optional.empty();
        }
        Row row = rows.get(0);
        return encoder.matches(preHash(password), row.hash()) ? Optional.of(row.credentials()) : Optional.empty();
    }

    private record Row(Credentials credentials, String hash) {
    }

    /** The hash to store for {@code password}; BCrypt, so it takes its time (call from a worker). */
    String hash(String password) {
        return encoder.encode(preHash(password));
    }

    /**
     * Stores a new password hash (from {@link #hash}) and raises the user's token version, which ends every session
     * issued before: one statement, so neither happens without the other.
     *
     * @return the new token version, or empty when the user has no credentials here
     */
    OptionalLong replacePassword(String userId, String hash) {
        int updated = jdbc.update("UPDATE credentials SET password_hash = ?, token_version = token_version + 1"
                + " WHERE user_id = ?", hash, userId);
        return updated == 0 ? OptionalLong.empty() : OptionalLong.of(tokenVersion(userId));
    }

    /** Raises the user's token version: every token issued before stops being accepted. False without credentials. */
    boolean raiseTokenVersion(String userId) {
        return jdbc.update("UPDATE credentials SET token_version = token_version + 1 WHERE user_id = ?", userId) > 0;
    }

    /** The version a token of this user must carry at least; 0 for a user without credentials here. */
    long tokenVersion(String userId) {
        List<Long> versions = jdbc.queryForList("SELECT token_version FROM credentials WHERE user_id = ?", Long.class,
                userId);
        return versions.isEmpty() ? 0 : versions.get(0);
    }

    Optional<Credentials> findByUsername(String username) {
        return jdbc.query("SELECT user_id, username FROM credentials WHERE username = ?",
                        (rs, i) -> new Credentials(rs.getString(1), rs.getString(2)), normalize(username))
                .stream().findFirst();
    }

    /** Removes a user's credentials (a registration whose command failed); true when there were any. */
    boolean delete(String userId) {
        return jdbc.update("DELETE FROM credentials WHERE user_id = ?", userId) > 0;
    }

    static String normalize(String username) {
        return username.trim().toLowerCase(Locale.ROOT);
    }

    static String preHash(String password) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
