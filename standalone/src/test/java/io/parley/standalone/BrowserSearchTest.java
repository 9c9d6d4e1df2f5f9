package io.parley.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** Message search in the web client, in Chromium ({@code web-tests/search.mjs}, see {@link BrowserScript}). */
class BrowserSearchTest {

    @TempDir
    Path dataDir;

    @Test
    void aMemberFindsAMessageAndJumpsToItInChromium() throws Exception {
        BrowserScript.run("search.mjs", dataDir);
    }
}
