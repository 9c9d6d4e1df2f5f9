package io.parley.eventstore;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event log is the default on the standalone mode's H2 file database; the event table is refused after a move into
 * the log on an H2 database on a disk however its URL is spelled (a URL written another way must not start a data
 * directory on the stale table); any other database keeps the table and is never refused.
 */
class EventStoreDefaultsTest {

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:h2:retry:file:./data/parley;DB_CLOSE_ON_EXIT=FALSE", "jdbc:h2:file:/var/parley/db"})
    void theStandaloneModesH2FileKeepsItsEventsInTheLog(String url) {
        assertThat(EventStoreDefaults.defaultFor(url)).isEqualTo("log");
        assertThat(EventStoreDefaults.isH2OnADisk(url)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:h2:./data/parley", "jdbc:h2:~/parley", "jdbc:h2:nio:./data/parley",
            "jdbc:h2:split:28:./data/parley", "jdbc:h2:retry:nio:./data/parley", "jdbc:h2:C:/parley/db"})
    void anotherSpellingOfAnH2DatabaseOnADiskKeepsTheTableButIsRefusedItAfterAMove(String url) {
        assertThat(EventStoreDefaults.defaultFor(url)).isEqualTo("jdbc");
        assertThat(EventStoreDefaults.isH2OnADisk(url)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:h2:mem:parley", "jdbc:h2:tcp://localhost:9092/mem:parley",
            "jdbc:h2:ssl://localhost/~/parley", "jdbc:h2:memFS:parley", "jdbc:h2:retry:mem:parley",
            "jdbc:postgresql://localhost:5432/test", ""})
    void anyOtherDatabaseKeepsTheTableAndIsNeverRefusedIt(String url) {
        assertThat(EventStoreDefaults.defaultFor(url)).isEqualTo("jdbc");
        assertThat(EventStoreDefaults.isH2OnADisk(url)).isFalse();
    }
}
