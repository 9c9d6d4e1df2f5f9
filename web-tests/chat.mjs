// Browser test of Parley's web client: two people, alice (desktop) and bob (phone-sized), chat through a running
// Parley in Debian's Chromium, driven by playwright-core (shared steps and helpers: support.mjs).
//
//   PARLEY_URL=http://localhost:8080 node web-tests/chat.mjs
//
// Environment:
//   PARLEY_URL              the running application (default http://localhost:8080)
//   PARLEY_SCREENSHOTS      where screenshots go (default standalone/target/screenshots in the repository)
//   CHROMIUM                the browser (default /usr/bin/chromium)
//   PARLEY_DOC_SCREENSHOT   if set, a path to copy the overview screenshot to (e.g. docs/screenshot.png)
//   HEADED=1                show the browser
//
// Exits 0 when every step passed; otherwise prints the failing step and exits 1 (screenshots of both pages are
// saved as failure-*.png).

import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  BASE, WAIT, run, people, problems, pages, log, step, shot, watch, launch, runScript, messageItems, waitForState, stateOf,
  textCounts, connectionState, waitOnline, register, token, typeAndSend, waitForHeaderPresence, openConversationNamed,
} from './support.mjs';

const BULK = 55; // messages sent at once: more than a history page (50)

async function main() {
  const browser = await launch();
  const aliceContext = await browser.newContext({ viewport: { width: 1180, height: 760 }, locale: 'en-GB',
    timezoneId: 'Europe/London', colorScheme: 'light' });
  const bobContext = await browser.newContext({ viewport: { width: 390, height: 760 }, deviceScaleFactor: 2,
    isMobile: true, hasTouch: true, locale: 'en-GB', timezoneId: 'Europe/London' });
  const alice = pages.alice = await aliceContext.newPage();
  const bob = pages.bob = await bobContext.newPage();
  watch(alice, 'alice');
  watch(bob, 'bob');

  await step('the sign-in page is served with security headers and rendered', async () => {
    const response = await alice.goto(BASE);
    const csp = response.headers()['content-security-policy'];
    assert.ok(csp && csp.includes("default-src 'self'") && csp.includes("frame-ancestors 'none'"), `CSP: ${csp}`);
    assert.equal(response.headers()['referrer-policy'], 'no-referrer');
    await alice.locator('#login-form').waitFor();
    await shot(alice, '01-sign-in');
  });

  await step('alice and bob register and are logged in', async () => {
    await Promise.all([register(alice, people.alice), register(bob, people.bob)]);
  });

  let refusedHistory = 0;
  await step('alice finds bob by username and opens a direct conversation with the keyboard', async () => {
    // A conversation opened a moment ago may not be known yet where history is read (under load that trails the
    // command that opened it), and the server answers 403 meanwhile: the first history read here gets that answer.
    await alice.route('**/api/conversations/*/messages?*', (route) => (route.request().method() === 'GET'
      && refusedHistory++ === 0
      ? route.fulfill({ status: 403, contentType: 'application/json',
        body: JSON.stringify({ code: 'FORBIDDEN', message: 'not a member of this conversation' }) })
      : route.fallback()));
    const search = alice.locator('#user-search');
    await search.focus();
    await search.pressSequentially(people.bob.username.slice(0, 6), { delay: 10 });
    const result = alice.locator(`#search-results button[data-username="${people.bob.username}"]`);
    await result.waitFor({ timeout: WAIT });
    await search.press('ArrowDown');
    // the first result is focused; other runs' bobs may be listed before ours, so walk to ours
    for (let i = 0; i < 8 && !(await result.evaluate((el) => el === document.activeElement)); i++) {
      await alice.keyboard.press('ArrowDown');
    }
    await alice.keyboard.press('Enter');
    await alice.waitForFunction((n) => document.querySelector('#conversation-title')?.textContent === n,
      people.bob.displayName, { timeout: WAIT });
    const focused = await alice.evaluate(() => document.activeElement?.id);
    assert.equal(focused, 'composer-input', 'the message box has the focus after opening a conversation');
  });

  await step('bob is online, and alice, who found him through search, sees it in the header and on the list', async () => {
    await waitForHeaderPresence(alice, true);
    const item = alice.locator('#conversation-list .conv', { has: alice.locator('.conv-name', { hasText: people.bob.displayName }) });
    await item.locator('.presence-dot.online').waitFor({ timeout: WAIT });
  });

  const hello = 'Hello Bob! Are we still on for Saturday?';
  await step('alice sends with Enter: pending → sent → delivered while bob has not opened it', async () => {
    await typeAndSend(alice, hello);
    await waitForState(alice, hello, ['pending', 'sent', 'delivered']);
    await waitForState(alice, hello, 'delivered');
  });

  await step('bob sees the conversation in his list with the last message and an unread badge', async () => {
    const item = bob.locator('#conversation-list .conv', { has: bob.locator('.conv-name', { hasText: people.alice.displayName }) });
    await item.waitFor({ timeout: WAIT });
    await bob.waitForFunction((text) => [...document.querySelectorAll('#conversation-list .conv-last')]
      .some((el) => el.textContent === text), hello, { timeout: WAIT });
    assert.equal((await item.locator('.badge').textContent()).replace(/\D+/g, ''), '1');
    assert.equal(await item.locator('.presence-dot.online').count(), 1, 'alice shows as online');
    assert.equal(await stateOf(alice, hello), 'delivered', 'not read before bob opens it');
    await shot(bob, '02-bob-list-unread');
  });

  await step('bob opens it (phone layout) and alice’s ticks turn to read', async () => {
    await openConversationNamed(bob, people.alice.displayName);
    assert.equal(await bob.locator('.sidebar').isVisible(), false, 'on a phone the list gives way to the conversation');
    await messageItems(bob, hello).waitFor({ timeout: WAIT });
    await waitForState(alice, hello, 'read');
    const badges = await bob.locator('#conversation-list .badge').count();
    assert.equal(badges, 0, 'no unread badge left');
  });

  const markup = 'Yes! <b>bring</b> <img src=x onerror=alert(1)> snacks & "drinks"';
  await step('alice sees bob typing; bob’s reply is rendered as text, never as HTML', async () => {
    const composer = bob.locator('#composer-input');
    await composer.click();
    await composer.pressSequentially('Yes! ', { delay: 30 });
    await alice.waitForFunction(() => /typing/.test(document.querySelector('#typing')?.textContent || ''),
      null, { timeout: WAIT });
    const typing = await alice.locator('#typing').textContent();
    assert.match(typing, /Bob Okafor is typing/);
    await composer.fill('');
    await typeAndSend(bob, markup);
    await messageItems(alice, markup).waitFor({ timeout: WAIT });
    assert.equal(await alice.locator('#message-list b, #message-list img').count(), 0, 'no markup from a message');
    await alice.waitForFunction(() => !(document.querySelector('#typing')?.textContent), null, { timeout: WAIT });
    await waitForState(bob, markup, 'read');
    assert.ok(refusedHistory > 1, 'alice read the history again after it was first refused');
  });

  let conversationId;
  await step('scroll-back: 55 more messages, a reload keeps the session, history pages back to the first', async () => {
    conversationId = await alice.locator('#conversation-list .conv[aria-current="true"]').getAttribute('data-conversation-id');
    const aliceToken = await token(alice);
    // more than a page of messages through the HTTP API, as another device of alice's would
    for (let i = 1; i <= BULK; i++) {
      for (let attempt = 0; ; attempt++) {
        const response = await fetch(`${BASE}/api/conversations/${conversationId}/messages`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${aliceToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ clientMsgId: `bulk-${run}-${i}`, text: `Plan item ${i}` }),
        });
        if (response.status === 429 && attempt < 10) {
          // the send rate limit: wait as told and retry with the same clientMsgId
          await new Promise((r) => setTimeout(r, 1000 * Number(response.headers.get('retry-after') || 1)));
          continue;
        }
        assert.equal(response.status, 201, `bulk message ${i}`);
        break;
      }
    }
    await messageItems(bob, `Plan item ${BULK}`).waitFor({ timeout: WAIT });
    await alice.reload();
    await waitOnline(alice);
    assert.equal(await alice.locator('#me-name').textContent(), people.alice.displayName, 'still logged in');
    await openConversationNamed(alice, people.bob.displayName);
    await waitForHeaderPresence(alice, true);
    await messageItems(alice, `Plan item ${BULK}`).waitFor({ timeout: WAIT });
    assert.equal(await messageItems(alice, hello).count(), 0, 'the first page is the newest 50');
    // bob read them live; after the reload the ticks come from the receipts the server keeps
    await waitForState(alice, `Plan item ${BULK}`, 'read');
    const loadEarlier = alice.locator('#load-earlier');
    await loadEarlier.waitFor({ timeout: WAIT });
    await loadEarlier.click();
    await messageItems(alice, hello).waitFor({ timeout: WAIT });
    await messageItems(alice, markup).waitFor({ timeout: WAIT });
    await alice.locator('#history-start').waitFor({ timeout: WAIT });
    const seqs = await alice.$$eval('#message-list li.msg', (items) => items.map((li) => Number(li.dataset.seq)));
    assert.deepEqual(seqs, Array.from({ length: BULK + 2 }, (_, i) => i + 1), 'every message once, in seq order');
    // own messages sent before bob's reply count as read (bob's reply implies it)
    assert.equal(await stateOf(alice, hello), 'read');
  });

  await step('edits and deletes show live on the other side', async () => {
    await messageItems(alice, `Plan item ${BULK}`).hover();
    await messageItems(alice, `Plan item ${BULK}`).getByRole('button', { name: /^Edit/ }).click();
    const field = alice.locator('#message-list textarea.edit-field');
    await field.fill(`Plan item ${BULK} (venue: the park)`);
    await field.press('Enter');
    await messageItems(bob, `Plan item ${BULK} (venue: the park)`).locator('.edited').waitFor({ timeout: WAIT });
    alice.once('dialog', (dialog) => dialog.accept());
    await messageItems(alice, `Plan item ${BULK - 1}`).hover();
    await messageItems(alice, `Plan item ${BULK - 1}`).getByRole('button', { name: /^Delete/ }).click();
    await bob.waitForFunction(() => [...document.querySelectorAll('#message-list li.msg.deleted p.text')]
      .some((p) => p.textContent === 'This message was deleted'), null, { timeout: WAIT });
    assert.equal(await messageItems(bob, `Plan item ${BULK - 1}`).count(), 0);
  });

  const whileAway = 'Did you see the forecast? Rain in the morning.';
  const offlineText = 'Written on the train, no signal';
  const offlineText2 = 'And a second one, still offline';
  await step('alice goes offline: a visible offline state, her messages wait in the outbox', async () => {
    await aliceContext.setOffline(true);
    await alice.waitForFunction(() => ['offline', 'reconnecting'].includes(
      document.querySelector('#connection-status')?.dataset.state), null, { timeout: WAIT });
    const banner = alice.locator('#connection-banner');
    await banner.waitFor({ state: 'visible', timeout: WAIT });
    assert.match(await banner.textContent(), /offline|Reconnecting/i);
    await typeAndSend(bob, whileAway);
    await typeAndSend(alice, offlineText);
    await typeAndSend(alice, offlineText2);
    await waitForState(alice, offlineText, 'pending');
    await waitForState(alice, offlineText2, 'pending');
    await alice.waitForTimeout(1_000);
    assert.equal(await messageItems(bob, offlineText).count(), 0, 'nothing reached bob while alice was offline');
    assert.equal(await messageItems(alice, whileAway).count(), 0, 'nothing reached alice while she was offline');
    await shot(alice, '04-alice-offline');
  });

  await step('alice comes back: sync fills the gap, the outbox is sent once, nothing is lost or doubled', async () => {
    await aliceContext.setOffline(false);
    await waitOnline(alice);
    await alice.locator('#connection-banner').waitFor({ state: 'hidden', timeout: WAIT });
    await messageItems(alice, whileAway).waitFor({ timeout: WAIT });
    await waitForState(alice, offlineText, ['sent', 'delivered', 'read']);
    await waitForState(alice, offlineText2, ['sent', 'delivered', 'read']);
    await messageItems(bob, offlineText).waitFor({ timeout: WAIT });
    await messageItems(bob, offlineText2).waitFor({ timeout: WAIT });
    await waitForState(alice, offlineText2, 'read');
    await alice.waitForTimeout(1_000); // let anything doubled arrive
    for (const [who, page] of [['alice', alice], ['bob', bob]]) {
      const counts = await textCounts(page);
      for (const text of [whileAway, offlineText, offlineText2, hello]) {
        assert.equal(counts[text], 1, `${who} sees “${text}” exactly once (counts: ${counts[text]})`);
      }
      assert.equal(await page.locator('#message-list li[data-pending]').count(), 0, `${who} has nothing pending`);
    }
    // and the server has each of them once
    const response = await fetch(`${BASE}/api/conversations/${conversationId}/messages?after=${BULK}&limit=200`,
      { headers: { Authorization: `Bearer ${await token(alice)}` } });
    const page = await response.json();
    const texts = page.messages.map((m) => m.text);
    for (const text of [whileAway, offlineText, offlineText2]) {
      assert.equal(texts.filter((t) => t === text).length, 1, `the server stored “${text}” once`);
    }
    const seqs = page.messages.map((m) => m.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  });

  await step('alice starts a group with bob, adds carol; bob reads and alice sees who has read', async () => {
    // carol registers through the HTTP API and never opens the app: she neither receives nor reads
    const response = await fetch(`${BASE}/api/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(people.carol),
    });
    assert.equal(response.status, 201, 'carol registered');
    people.carol.userId = (await response.json()).userId;

    await alice.getByRole('button', { name: 'New group' }).click();
    await alice.locator('#group-name').fill('Saturday picnic');
    await alice.locator('#group-member-search').pressSequentially(people.bob.username, { delay: 5 });
    await alice.locator(`#group-member-results button[data-username="${people.bob.username}"]`).click();
    await alice.locator('#group-chosen .chip').waitFor({ timeout: WAIT });
    await alice.getByRole('button', { name: 'Create group' }).click();
    await alice.waitForFunction(() => document.querySelector('#conversation-title')?.textContent === 'Saturday picnic',
      null, { timeout: WAIT });

    await alice.getByRole('button', { name: 'Members' }).click();
    const add = alice.locator('#add-member-search');
    await add.pressSequentially(people.carol.username, { delay: 5 });
    await alice.locator(`#add-member-results button[data-username="${people.carol.username}"]`).click();
    await alice.locator('#member-list .member', { hasText: people.carol.displayName }).waitFor({ timeout: WAIT });
    await alice.locator('#message-list li.note', { hasText: `${people.carol.displayName} joined` }).waitFor({ timeout: WAIT });
    await alice.getByRole('button', { name: 'Members' }).click();

    await typeAndSend(alice, 'Who brings the blanket?');
    await waitForState(alice, 'Who brings the blanket?', ['sent', 'delivered']);
    await bob.getByRole('button', { name: 'Back to chats' }).click();
    await openConversationNamed(bob, 'Saturday picnic');
    await messageItems(bob, 'Who brings the blanket?').waitFor({ timeout: WAIT });
    await alice.locator('#message-list .seen-by', { hasText: `Seen by ${people.bob.displayName}` }).waitFor({ timeout: WAIT });
    const label = await messageItems(alice, 'Who brings the blanket?').locator('.status').getAttribute('title');
    assert.match(label, new RegExp(`read by ${people.bob.displayName}`), 'who has read it');
    assert.notEqual(await stateOf(alice, 'Who brings the blanket?'), 'read', 'carol has not read it');

    await typeAndSend(bob, 'I will! And the lemonade.');
    await messageItems(alice, 'I will! And the lemonade.').locator('.sender', { hasText: people.bob.displayName })
      .waitFor({ timeout: WAIT });
    await typeAndSend(alice, 'Perfect, I will bake a cake. Meet at the north gate?');
    await messageItems(bob, 'Perfect, I will bake a cake. Meet at the north gate?').waitFor({ timeout: WAIT });
  });

  await step('screenshots of the group on desktop and phone, bob typing', async () => {
    const composer = bob.locator('#composer-input');
    await composer.click();
    // typing frames are sent (and passed on by the server) at most every 2 s: type at a human pace
    await composer.pressSequentially('Sounds good, see you at 11', { delay: 120 });
    await alice.waitForFunction(() => /typing/.test(document.querySelector('#typing')?.textContent || ''),
      null, { timeout: WAIT });
    await alice.locator('#composer-input').blur();
    const overview = await shot(alice, '05-alice-desktop');
    await shot(bob, '06-bob-phone');
    if (process.env.PARLEY_DOC_SCREENSHOT) copyFileSync(overview, resolve(process.env.PARLEY_DOC_SCREENSHOT));
    await composer.press('Enter');
    await messageItems(alice, 'Sounds good, see you at 11').waitFor({ timeout: WAIT });
  });

  await step('alice removes carol from the group; the change shows live', async () => {
    await alice.getByRole('button', { name: 'Members' }).click();
    alice.once('dialog', (dialog) => dialog.accept());
    await alice.getByRole('button', { name: `Remove ${people.carol.displayName} from the group` }).click();
    await alice.locator('#member-list .member', { hasText: people.carol.displayName }).waitFor({ state: 'detached', timeout: WAIT });
    await bob.locator('#message-list li.note', { hasText: `${people.carol.displayName} was removed` }).waitFor({ timeout: WAIT });
    // with carol gone, everyone left has read alice's question
    await waitForState(alice, 'Who brings the blanket?', 'read');
  });

  await step('alice deletes two of three messages bob has not read: his badge goes from 3 to 1', async () => {
    const call = async (who, method, path, body) => fetch(`${BASE}${path}`, {
      method,
      headers: { Authorization: `Bearer ${await token(who)}`, 'Content-Type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    const seqs = [];
    for (let i = 1; i <= 3; i++) {
      const response = await call(alice, 'POST', `/api/conversations/${conversationId}/messages`,
        { clientMsgId: `unread-${run}-${i}`, text: `Unread ${i}` });
      assert.equal(response.status, 201, `message ${i}`);
      seqs.push((await response.json()).seq);
    }
    // bob has the group open: the direct conversation counts them
    const badgeShows = (count) => bob.waitForFunction(([name, wanted]) => [...document.querySelectorAll('#conversation-list .conv')]
      .some((item) => item.querySelector('.conv-name')?.textContent === name
        && (item.querySelector('.badge')?.textContent || '').replace(/\D+/g, '') === wanted),
    [people.alice.displayName, String(count)], { timeout: WAIT });
    await badgeShows(3);
    for (const seq of seqs.slice(0, 2)) {
      assert.equal((await call(alice, 'DELETE', `/api/conversations/${conversationId}/messages/${seq}`)).status, 204);
    }
    await badgeShows(1);
    let unread;
    for (const deadline = Date.now() + WAIT; Date.now() < deadline; await bob.waitForTimeout(200)) {
      const list = await (await call(bob, 'GET', '/api/conversations')).json();
      unread = list.find((c) => c.conversationId === conversationId).unread;
      if (unread === 1) break;
    }
    assert.equal(unread, 1, 'the server counts the same');
  });

  await step('bob closes the app: alice, in their direct conversation, sees him go offline', async () => {
    await openConversationNamed(alice, people.bob.displayName);
    await waitForHeaderPresence(alice, true);
    await bobContext.close();
    delete pages.bob;
    await waitForHeaderPresence(alice, false);
    assert.match(await alice.locator('#conversation-subtitle').textContent(), /^last seen/);
    const item = alice.locator('#conversation-list .conv', { has: alice.locator('.conv-name', { hasText: people.bob.displayName }) });
    await item.locator('.presence-dot.offline').waitFor({ timeout: WAIT });
  });

  await step('log out clears the session', async () => {
    await alice.getByRole('button', { name: 'Log out' }).click();
    await alice.locator('#auth-view').waitFor({ timeout: WAIT });
    assert.equal(await alice.evaluate(() => sessionStorage.getItem('parley.session')), null);
    await alice.reload();
    await alice.locator('#auth-view').waitFor({ timeout: WAIT });
  });

}

runScript(main);
