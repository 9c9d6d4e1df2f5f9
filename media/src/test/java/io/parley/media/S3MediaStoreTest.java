package io.parley.media;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;

/** The contract on the {@code s3} driver against s3proxy (filesystem backend) in this JVM: real HTTP and SigV4. */
class S3MediaStoreTest extends MediaStoreContract {

    @TempDir
    static Path dir;
    private static TestS3Server server;
    private static S3MediaStore store;

    @BeforeAll
    static void start() throws Exception {
        server = TestS3Server.start(dir);
        store = server.store("parley-media");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Override
    MediaStore store() {
        return store;
    }

    @Override
    URI resolve(String url) {
        return URI.create(url);
    }
}
