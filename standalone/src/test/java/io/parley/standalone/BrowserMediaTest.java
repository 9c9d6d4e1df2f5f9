package io.parley.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Media sharing in a real browser ({@code web-tests/media.mjs}, see {@link BrowserScript}): alice attaches a picture
 * and a document; bob sees the thumbnail, opens it full size, and sees the document's card.
 */
class BrowserMediaTest {

    @TempDir
    Path dataDir;

    @Test
    void alicesPictureReachesBobAsAThumbnail() throws Exception {
        BrowserScript.run("media.mjs", dataDir);
    }
}
