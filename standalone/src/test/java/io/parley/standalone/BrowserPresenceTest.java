package io.parley.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The web client reading {@code presence_batch} in a real browser ({@code web-tests/presence.mjs}, see
 * {@link BrowserScript}): four contacts come online at once, and alice's list shows them online, then offline. The
 * batch window is 1 s here so that the four always fall into one window.
 */
class BrowserPresenceTest {

    @TempDir
    Path dataDir;

    @Test
    void contactsComingOnlineTogetherShowOnlineFromOneBatchInChromium() throws Exception {
        BrowserScript.run("presence.mjs", dataDir, "parley.presence-batch-window=1s");
    }
}
