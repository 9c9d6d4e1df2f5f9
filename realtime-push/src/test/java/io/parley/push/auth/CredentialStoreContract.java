package io.parley.push.auth;

import io.parley.api.error.ConflictException;
import io.parley.push.EdgeSchema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the credential store promises, run against each database it must work on. */
abstract class CredentialStoreContract {

    private DataSource dataSource;
    private CredentialStore store;

    /** A database of its own for one test. */
    protected abstract DataSource freshDataSource();

    @BeforeEach
    void createStore() {
        dataSource = freshDataSource();
        EdgeSchema.migrate(dataSource);
        store = new CredentialStore(dataSource, 4, Clock.systemUTC());
    }

    @Test
    void registeredUsersLogInWithTheirPassword() {
        CredentialStore.Credentials alice = store.register("user-1", "Alice", "correct horse");

        assertThat(alice).isEqualTo(new CredentialStore.Credentials("user-1", "alice"));
        assertThat(store.authenticate("alice", "correct horse")).contains(alice);
        assertThat(store.authenticate("ALICE", "correct horse")).as("usernames ignore case").contains(alice);
        assertThat(store.findByUsername("Alice")).contains(alice);
    }

    @Test
    void aWrongPasswordOrAnUnknownUserDoesNotLogIn() {
        store.register("user-1", "alice", "correct horse");

        assertThat(store.authenticate("alice", "Correct horse")).isEmpty();
        assertThat(store.authenticate("bob", "correct horse")).isEmpty();
        assertThat(store.authenticate(null, "x")).isEmpty();
    }

    @Test
    void aUsernameIsTakenWhateverItsCase() {
        store.register("user-1", "alice", "correct horse");

        assertThatThrownBy(() -> store.register("user-2", "ALICE", "other password"))
                .isInstanceOf(ConflictException.class).hasMessage("username is taken");
        assertThat(store.authenticate("alice", "other password")).isEmpty();
    }

    @Test
    void theStoredHashIsBcryptAndNotThePassword() {
        store.register("user-1", "alice", "correct horse");

        String hash = new JdbcTemplate(dataSource)
                .queryForObject("SELECT password_hash FROM credentials WHERE user_id = ?", String.class, "user-1");
        assertThat(hash).doesNotContain("correct horse").startsWith("$2a$04$");
        assertThat(hash).doesNotContain(CredentialStore.preHash("correct horse"));
    }

    @Test
    void everyCharacterOfALongPasswordCounts() {
        String longPassword = "p".repeat(100) + "1";
        store.register("user-1", "alice", longPassword);

        assertThat(store.authenticate("alice", longPassword)).isPresent();
        // BCrypt alone reads 72 bytes: without the pre-hash these two would be equal to it.
        assertThat(store.authenticate("alice", "p".repeat(100) + "2")).isEmpty();
        assertThat(store.authenticate("alice", "p".repeat(72))).isEmpty();
    }

    @Test
    void deletingCredentialsFreesTheUsername() {
        store.register("user-1", "alice", "correct horse");

        assertThat(store.delete("user-1")).isTrue();
        assertThat(store.delete("user-1")).isFalse();
        assertThat(store.authenticate("alice", "correct horse")).isEmpty();
        assertThat(store.register("user-2", "alice", "new password")).isNotNull();
    }

    @Test
    void aNewPasswordReplacesTheOldOneAndRaisesTheTokenVersion() {
        store.register("user-1", "alice", "correct horse");
        assertThat(store.tokenVersion("user-1")).isZero();
        assertThat(store.authenticateById("user-1", "correct horse")).isPresent();
        assertThat(store.authenticateById("user-1", "wrong horse")).isEmpty();

        assertThat(store.replacePassword("user-1", store.hash("battery staple"))).hasValue(1);

        assertThat(store.authenticate("alice", "correct horse")).isEmpty();
        assertThat(store.authenticate("alice", "battery staple")).get()
                .extracting(CredentialStore.Credentials::tokenVersion).isEqualTo(1L);
        assertThat(store.replacePassword("nobody", store.hash("battery staple"))).isEmpty();
    }

    @Test
    void raisingTheTokenVersionCountsUpAndAnUnknownUserIsAtZero() {
        store.register("user-1", "alice", "correct horse");

        assertThat(store.raiseTokenVersion("user-1")).isTrue();
        assertThat(store.raiseTokenVersion("user-1")).isTrue();

        assertThat(store.tokenVersion("user-1")).isEqualTo(2);
        assertThat(store.raiseTokenVersion("nobody")).isFalse();
        assertThat(store.tokenVersion("nobody")).isZero();
    }

    @Test
    void aTableFromBeforeTokenVersionsGetsTheColumn() {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        // the table as the edge created it before token versions, and no migration history yet
        jdbc.execute("DROP TABLE credentials");
        jdbc.execute("DROP TABLE \"flyway_history_edge\""); // Flyway quotes its table name
        jdbc.execute("CREATE TABLE credentials (user_id VARCHAR(64) NOT NULL PRIMARY KEY,"
                + " username VARCHAR(64) NOT NULL UNIQUE, password_hash VARCHAR(255) NOT NULL, created_at TIMESTAMP)");
        jdbc.update("INSERT INTO credentials (user_id, username, password_hash) VALUES (?, ?, ?)",
                "user-1", "alice", store.hash("correct horse"));

        EdgeSchema.migrate(dataSource);

        assertThat(store.authenticate("alice", "correct horse")).contains(new CredentialStore.Credentials("user-1",
                "alice", 0));
    }

    @Test
    void creatingTheSchemaAgainKeepsTheData() {
        store.register("user-1", "alice", "correct horse");

        EdgeSchema.migrate(dataSource);

        assertThat(store.authenticate("alice", "correct horse")).isPresent();
    }
}
