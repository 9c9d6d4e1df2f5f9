// Parley's service worker: shows the push notifications the server sends (Web Push, payload as in README "Push
// notifications") and, when one is clicked, brings Parley to the front at that conversation. Served from the root so
// its scope is the whole client. It caches nothing: the client needs the server anyway.

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: 'Parley', body: event.data ? event.data.text() : 'New message' };
  }
  const title = typeof data.title === 'string' && data.title ? data.title : 'Parley';
  const options = {
    body: typeof data.body === 'string' ? data.body : 'New message',
    icon: '/favicon.svg',
    badge: '/favicon.svg',
    // one notification per conversation: a newer one replaces it (the server collapses per conversation too)
    tag: data.conversationId ? `conversation:${data.conversationId}` : 'parley',
    renotify: true,
    data: { conversationId: data.conversationId || null, url: safeUrl(data.url) },
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.waitUntil(openFrom(event.notification));
});

// The page may ask to act on a notification as a click would (the settings panel's "open" on a listed notification,
// and the browser test, which cannot click a system notification).
self.addEventListener('message', (event) => {
  const message = event.data || {};
  if (message.type !== 'open-notification' || typeof message.conversationId !== 'string') return;
  event.waitUntil(self.registration.getNotifications({ tag: `conversation:${message.conversationId}` })
    .then((shown) => (shown.length ? openFrom(shown[0]) : null)));
});

/** Closes the notification and shows its conversation: in an open Parley window if there is one, else a new one. */
async function openFrom(notification) {
  notification.close();
  const { conversationId, url } = notification.data || {};
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const app = windows.find((client) => new URL(client.url).pathname === '/');
  if (app) {
    app.postMessage({ type: 'open-conversation', conversationId });
    try {
      await app.focus();
    } catch {
      // focusing needs a user's click; the conversation is open all the same
    }
    return;
  }
  await self.clients.openWindow(url || '/');
}

/** Only a path of this site: a notification never sends anyone elsewhere. */
function safeUrl(url) {
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? url : '/';
}
