package io.parley.query.store.jdbc;

import io.parley.api.conversation.ConversationEvents.MessageEdited;
import io.parley.api.conversation.ConversationQueries.MessageView;
import io.parley.testsupport.PostgresSchema;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read-model contract on the SQL store against PostgreSQL at 127.0.0.1:5432, database {@code test}, user
 * {@code postgres}: a fresh schema per test, dropped afterwards. Skipped when PostgreSQL is unreachable, unless
 * {@code PARLEY_REQUIRE_SERVICES=true} (CI), which turns the skip into a failure.
 */
class PostgresReadModelTest extends JdbcReadModelContract {

    @RegisterExtension
    final PostgresSchema postgres = new PostgresSchema("rm_test");

    @Override
    protected DataSource freshDataSource() {
        return postgres.dataSource();
    }

    /**
     * Issue 19, item 1, on PostgreSQL's own files: the pages of {@code rm_messages} (heap and TOAST, dead tuples of
     * the edit included, after a CHECKPOINT wrote them) and the newest WAL segments never hold a message's words in
     * clear, so no VACUUM is needed for an erasure to hold. A control row written in clear under the sealing shows that
     * the scan reads those pages. Runs where this process can read PostgreSQL's data directory (a local server).
     */
    @Test
    void thePagesAndWriteAheadLogOfTheTableNeverHoldTheWordsInClear() throws IOException {
        JdbcTemplate jdbc = new JdbcTemplate(postgres.dataSource());
        Path dataDirectory = Path.of(jdbc.queryForObject("SHOW data_directory", String.class));
        Assumptions.assumeTrue(Files.isReadable(dataDirectory.resolve("PG_VERSION")),
                "PostgreSQL's data directory is not readable here: the contract's raw-store checks cover the columns");
        String word = "pgw" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String control = "pgc" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

        String team = groupOf("g-pg", "PG", ALICE, BOB);
        send(team, ALICE, "a first version with " + word);
        given(new MessageEdited(team, "m-" + team + "-1", 1, ALICE, "a second version, still " + word, tick()));
        rawStores().timeline().append(new MessageView(team, "m-control", 99, BOB, "clear " + control,
                Instant.now(), null, false, List.of()));
        jdbc.execute("CHECKPOINT");

        List<Path> table = new ArrayList<>();
        table.add(dataDirectory.resolve(jdbc.queryForObject("SELECT pg_relation_filepath('rm_messages')",
                String.class)));
        String toast = jdbc.queryForObject("SELECT pg_relation_filepath(reltoastrelid) FROM pg_class"
                + " WHERE oid = 'rm_messages'::regclass AND reltoastrelid <> 0", String.class);
        table.add(dataDirectory.resolve(toast));
        List<Path> wal = jdbc.queryForList("SELECT name FROM pg_ls_waldir() ORDER BY modification DESC LIMIT 2",
                String.class).stream().map(name -> dataDirectory.resolve("pg_wal").resolve(name)).toList();

        assertThat(holding(table, control)).as("the scan reads the table's pages").isNotEmpty();
        assertThat(holding(table, word)).as("the table's pages, dead tuples included").isEmpty();
        assertThat(holding(wal, word)).as("the newest WAL segments").isEmpty();
        assertThat(message(team, 1).text()).isEqualTo("a second version, still " + word);
        erasureKeys().erase(ALICE);
        assertThat(message(team, 1).text()).isNull();
    }

    private static List<Path> holding(List<Path> files, String word) throws IOException {
        byte[] needle = word.getBytes(StandardCharsets.UTF_8);
        List<Path> found = new ArrayList<>();
        for (Path file : files) {
            if (Files.isRegularFile(file) && contains(Files.readAllBytes(file), needle)) {
                found.add(file);
            }
        }
        return found;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
