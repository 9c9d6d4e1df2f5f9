package io.parley.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Notifications in a real browser ({@code web-tests/notifications.mjs}, see {@link BrowserScript}): the settings panel,
 * the service worker showing the notification Parley sent for a message while bob was away (delivered to it through
 * the DevTools protocol, as Chromium here reaches no push service), and opening that conversation from it.
 */
class BrowserNotificationsTest {

    @TempDir
    Path dataDir;

    @Test
    void theServiceWorkerShowsANotificationAndOpensItsConversation() throws Exception {
        BrowserScript.run("notifications.mjs", dataDir, "parley.notifications.delay=1s",
                "parley.notifications.poll-interval=100ms", "parley.notifications.allow-plain-http=true",
                "parley.notifications.allow-private-addresses=true");
    }
}
