package io.parley.media;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The media service's rules on the {@code s3} driver, against s3proxy. */
class S3MediaServiceTest extends MediaServiceContract {

    @TempDir
    static Path dir;
    private static TestS3Server server;
    private static S3MediaStore store;

    @BeforeAll
    static void start() throws Exception {
        server = TestS3Server.start(dir);
        store = server.store("parley-media-service");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Override
    MediaStore store() {
        return store;
    }
}
