// Browser test of presence batching (issue 19): four of alice's contacts come online at the same moment; the server
// coalesces their presence into one `presence_batch` frame for alice, and her web client shows all four online, then
// offline when they leave. Run by BrowserPresenceTest with a window of 1 s, so the four always share a window.
//
//   PARLEY_URL=http://localhost:8080 node web-tests/presence.mjs

import assert from 'node:assert/strict';
import {
  BASE, WAIT, api, run, people, pages, step, shot, watch, launch, runScript, register,
} from './support.mjs';

const FRIENDS = ['Dana', 'Emeka', 'Farah', 'Goran'];

function item(page, name) {
  return page.locator('#conversation-list .conv', { has: page.locator('.conv-name', { hasText: name }) });
}

async function main() {
  const browser = await launch();
  const alice = pages.alice = await (await browser.newContext({ viewport: { width: 1180, height: 760 } })).newPage();
  watch(alice, 'alice');
  const presenceFrames = [];
  alice.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => {
    let frame;
    try {
      frame = JSON.parse(typeof payload === 'string' ? payload : payload.toString());
    } catch {
      return; // not a JSON frame: not presence
    }
    if (frame.type === 'presence' || frame.type === 'presence_batch') presenceFrames.push(frame);
  }));

  await step('the sign-in page is served', async () => {
    // the first page of a cold server and browser takes a while under load; chat.mjs starts the same way
    await alice.goto(BASE);
    await alice.locator('#login-form').waitFor({ timeout: WAIT });
  });

  await step('alice registers', async () => {
    await register(alice, people.alice);
  });

  const friends = [];
  await step('four people open a direct conversation with alice; her list shows them offline', async () => {
    const aliceId = (await api('POST', '/api/sessions',
      { username: people.alice.username, password: people.alice.password })).userId;
    for (const name of FRIENDS) {
      const username = `${name.toLowerCase()}_${run}`;
      await api('POST', '/api/users', { username, password: 'presence pass 1', displayName: name });
      const session = await api('POST', '/api/sessions', { username, password: 'presence pass 1' });
      await api('POST', '/api/conversations/direct', { userId: aliceId }, session.token);
      friends.push({ name, token: session.token });
    }
    await alice.reload();
    for (const { name } of friends) {
      await item(alice, name).locator('.presence-dot.offline').waitFor({ timeout: WAIT });
    }
  });

  const others = await (await browser.newContext()).newPage();
  await step('all four come online at once: one presence_batch frame, all four dots turn online', async () => {
    const before = presenceFrames.length;
    await others.evaluate(async ({ url, tokens }) => {
      window.sockets = tokens.map((t) => new WebSocket(`${url}?access_token=${encodeURIComponent(t)}`));
      await Promise.all(window.sockets.map((s) => new Promise((done, failed) => {
        s.onopen = done;
        s.onerror = failed;
      })));
    }, { url: BASE.replace(/^http/, 'ws') + '/ws', tokens: friends.map((f) => f.token) });
    for (const { name } of friends) {
      await item(alice, name).locator('.presence-dot.online').waitFor({ timeout: WAIT });
    }
    const frames = presenceFrames.slice(before);
    const batches = frames.filter((f) => f.type === 'presence_batch');
    assert.ok(batches.length >= 1, `a presence_batch frame arrived: ${JSON.stringify(frames)}`);
    assert.ok(frames.length < friends.length, `fewer frames than friends: ${JSON.stringify(frames)}`);
    await shot(alice, 'presence-batch-online');
  });

  await step('they all leave: alice sees all four offline', async () => {
    await others.evaluate(() => window.sockets.forEach((s) => s.close()));
    for (const { name } of friends) {
      await item(alice, name).locator('.presence-dot.offline').waitFor({ timeout: WAIT });
    }
  });
}

runScript(main);
