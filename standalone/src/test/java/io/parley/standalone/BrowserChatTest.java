package io.parley.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The web client in a real browser ({@code web-tests/chat.mjs}, see {@link BrowserScript}). Two people register, chat,
 * watch receipts turn to read, see typing, reload, page back through history, go offline and come back with
 * nothing lost or doubled, and work a group; one sees the other online from the moment she finds him through search,
 * and offline when he closes the app.
 */
class BrowserChatTest {

    @TempDir
    Path dataDir;

    @Test
    void twoPeopleChatInChromium() throws Exception {
        BrowserScript.run("chat.mjs", dataDir);
    }
}
