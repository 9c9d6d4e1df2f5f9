package io.parley.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Replies, reactions, mentions, blocking, a URL per chat and axe-core's accessibility check in a real browser
 * ({@code web-tests/features.mjs}, see {@link BrowserScript}).
 */
class BrowserFeaturesTest {

    @TempDir
    Path dataDir;

    @Test
    void repliesReactionsMentionsBlockingAndAccessibilityInChromium() throws Exception {
        BrowserScript.run("features.mjs", dataDir);
    }
}
