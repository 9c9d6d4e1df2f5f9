package io.parley.media;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;

/** The media service's rules on the {@code local} driver. */
class LocalMediaServiceTest extends MediaServiceContract {

    @TempDir
    Path dir;

    private MediaStore store;

    @Override
    MediaStore store() {
        if (store == null) {
            store = new LocalMediaStore(dir.resolve("media"), UrlSigner.configuredOrKeptIn(null, dir),
                    Clock.systemUTC());
        }
        return store;
    }
}
