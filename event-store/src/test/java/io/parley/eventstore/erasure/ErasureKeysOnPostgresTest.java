package io.parley.eventstore.erasure;

import io.parley.testsupport.PostgresSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.sql.DataSource;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The key table on PostgreSQL at 127.0.0.1:5432, database {@code test}, user {@code postgres}, in a fresh schema;
 * skipped when unreachable unless {@code PARLEY_REQUIRE_SERVICES=true}.
 */
class ErasureKeysOnPostgresTest {

    @RegisterExtension
    final PostgresSchema postgres = new PostgresSchema("keys_test");

    @Test
    void keysAreCreatedOncePerUserAndErasedForGood() {
        DataSource ds = postgres.dataSource();
        ErasureKeys keys = new ErasureKeys(ds, Duration.ZERO);
        new ErasureKeys(ds, Duration.ZERO); // the table is created if missing, again without harm
        TextCipher cipher = new TextCipher(keys);
        String first = cipher.encrypt("alice", "c/m1", "one");
        String second = cipher.encrypt("alice", "c/m2", "two");
        assertThat(first.split(":")[2]).isEqualTo(second.split(":")[2]); // same key id
        assertThat(cipher.decrypt("c/m2", second)).contains("two");
        assertThat(keys.erase("alice")).isEqualTo(1);
        assertThat(new TextCipher(new ErasureKeys(ds, Duration.ZERO)).decrypt("c/m1", first)).isEmpty();
    }
}
