package io.parley.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The web client sending a read receipt again when the server refused it for now (UNAVAILABLE, busy) in a real
 * browser ({@code web-tests/receipts.mjs}, see {@link BrowserScript}): the server ends up with the user's read.
 */
class BrowserReceiptsTest {

    @TempDir
    Path dataDir;

    @Test
    void aReadReceiptRefusedAsBusyIsSentAgainAfterTheHintInChromium() throws Exception {
        BrowserScript.run("receipts.mjs", dataDir);
    }
}
