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
    void creatingTheSchemaAgainKeepsTheData() {
        store.register("user-1", "alice", "correct horse");

        EdgeSchema.migrate(dataSource);

        assertThat(store.authenticate("alice", "correct horse")).isPresent();
    }
}
