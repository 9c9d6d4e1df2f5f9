// Replies, reactions, mentions, blocking, a URL per conversation and accessibility (issue 16), in Chromium against a
// running Parley (PARLEY_URL, default http://localhost:8080). Alice works on a desktop-sized window, Bob on a phone.
// axe-core (npm axe-core) checks the sign-in page, the chat list and an open chat on both sizes: no violation at all.
//
//   cd web-tests && npm ci && PARLEY_URL=http://localhost:8080 node features.mjs

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  BASE, WAIT, launch, log, openConversationNamed, pages, people, register, runScript, shot, step, token, typeAndSend,
  watch,
} from './support.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core in the page (injected through the DevTools protocol, which the page's CSP does not govern) and
 * answers its violations as "rule (impact): targets" lines.
 */
async function axeViolations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const run = await axe.run(document, { resultTypes: ['violations'] });
    return run.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return result;
}

async function expectAccessible(page, where) {
  const violations = await axeViolations(page);
  if (violations.length) log(`axe on ${where}:\n  ${violations.join('\n  ')}`);
  assert.deepEqual(violations, [], `axe-core finds no violation on ${where}`);
}

/** The open conversation's message item whose text contains `text`. */
function item(page, text) {
  return page.locator('#message-list li.msg', { has: page.locator('.text', { hasText: text }) });
}

async function main() {
  const browser = await launch();
  const aliceContext = await browser.newContext({ viewport: { width: 1180, height: 760 }, locale: 'en-GB' });
  const bobContext = await browser.newContext({ viewport: { width: 390, height: 760 }, deviceScaleFactor: 2,
    isMobile: true, hasTouch: true, locale: 'en-GB' });
  const alice = pages.alice = await aliceContext.newPage();
  const bob = pages.bob = await bobContext.newPage();
  watch(alice, 'alice');
  watch(bob, 'bob');

  await step('axe-core finds nothing on the sign-in page, and the skip link is not on it', async () => {
    await alice.goto(BASE);
    await alice.locator('#login-form').waitFor({ timeout: WAIT });
    await expectAccessible(alice, 'the sign-in page');
    assert.equal(await alice.locator('.skip-link').isVisible(), false);
    await alice.keyboard.press('Tab');
    const first = await alice.evaluate(() => document.activeElement?.className || document.activeElement?.id);
    assert.notEqual(first, 'skip-link', 'the first Tab on the sign-in page does not land on "Skip to the message box"');
  });

  await step('alice and bob register', async () => {
    await Promise.all([register(alice, people.alice), register(bob, people.bob)]);
  });

  let group;
  await step('alice makes a group with bob (through the API) and opens it: the address names the chat', async () => {
    const bobId = await bob.evaluate(() => JSON.parse(sessionStorage.getItem('parley.session')).userId);
    const aliceToken = await token(alice);
    group = await alice.evaluate(async ({ bobId, aliceToken }) => {
      const r = await fetch('/api/conversations/groups', { method: 'POST', headers: { 'Content-Type': 'application/json',
        Authorization: `Bearer ${aliceToken}` }, body: JSON.stringify({ name: 'Crew', members: [bobId] }) });
      return (await r.json()).conversationId;
    }, { bobId, aliceToken });
    await openConversationNamed(alice, 'Crew');
    assert.equal(new URL(alice.url()).hash, `#/c/${encodeURIComponent(group)}`);
    // (bob's list, told of the group by a member frame, may show it as "Group" until it is read again: reload)
    await bob.reload();
    await bob.locator('#conversation-list .conv-name', { hasText: 'Crew' }).first().waitFor({ timeout: WAIT });
  });

  await step('a reload opens the same chat, and so does the shared link in a new tab after signing in', async () => {
    await alice.reload();
    await alice.waitForFunction(() => document.querySelector('#conversation-title')?.textContent === 'Crew', null,
      { timeout: WAIT });
    const tab = await aliceContext.newPage();
    watch(tab, 'alice-tab');
    await tab.goto(`${BASE}/#/c/${encodeURIComponent(group)}`);
    // a new tab has no session yet (it is kept per tab): signing in leads to the linked chat
    await tab.locator('#login-username').fill(people.alice.username);
    await tab.locator('#login-password').fill(people.alice.password);
    await tab.locator('#login-form').getByRole('button', { name: 'Log in' }).click();
    await tab.waitForFunction(() => document.querySelector('#conversation-title')?.textContent === 'Crew', null,
      { timeout: WAIT });
    await tab.close();
  });

  await step('axe-core finds nothing in the chat view, on a desktop and on a phone (list and open chat)', async () => {
    await expectAccessible(alice, 'the open chat (desktop)');
    await bob.locator('#conversation-list .conv').first().waitFor({ timeout: WAIT });
    await expectAccessible(bob, 'the chat list (phone)');
  });

  await step('alice mentions bob through the autocomplete; bob sees the mention badge and the highlight', async () => {
    const composer = alice.locator('#composer-input');
    await composer.click();
    await composer.pressSequentially(`Lunch @${people.bob.username.slice(0, 4)}`, { delay: 5 });
    const option = alice.locator('#mention-list [role="option"]', { hasText: people.bob.username });
    await option.first().waitFor({ timeout: WAIT });
    assert.equal(await composer.getAttribute('aria-activedescendant'), 'mention-option-0');
    await composer.press('Enter'); // chooses, does not send
    assert.equal(await composer.inputValue(), `Lunch @${people.bob.username} `);
    await composer.pressSequentially('at noon?', { delay: 5 });
    await composer.press('Enter');
    await bob.locator('.conv .mention-badge').first().waitFor({ timeout: WAIT });
    await openConversationNamed(bob, 'Crew');
    await item(bob, 'at noon?').locator('mark.mention.me').waitFor({ timeout: WAIT });
    await expectAccessible(bob, 'the open chat (phone)');
    await shot(bob, 'features-01-mention');
  });

  await step('bob replies; alice sees the quote of her message', async () => {
    const question = item(bob, 'at noon?');
    await question.hover();
    await question.getByRole('button', { name: 'Reply to this message' }).click();
    await bob.locator('#reply-bar').waitFor({ timeout: WAIT });
    await typeAndSend(bob, 'Sure, see you there');
    await bob.locator('#reply-bar').waitFor({ state: 'hidden', timeout: WAIT });
    const answer = item(alice, 'Sure, see you there');
    await answer.locator('blockquote.quote', { hasText: 'Lunch' }).waitFor({ timeout: WAIT });
    await shot(alice, 'features-02-reply');
  });

  await step('alice reacts from the picker; bob sees the count, and her second click takes it back', async () => {
    const answer = item(alice, 'Sure, see you there');
    await answer.hover();
    await answer.getByRole('button', { name: 'React to this message' }).click();
    await answer.getByRole('button', { name: 'React 👍' }).click();
    const count = item(bob, 'Sure, see you there').locator('.reaction', { hasText: '👍 1' });
    await count.waitFor({ timeout: WAIT });
    const mine = answer.locator('.reaction.mine', { hasText: '👍 1' });
    await mine.waitFor({ timeout: WAIT });
    await mine.click();
    await count.waitFor({ state: 'detached', timeout: WAIT });
  });

  await step('bob blocks alice in the members panel: her next message is hidden for him; unblocking shows it', async () => {
    await bob.locator('#members-button').click();
    const blockButton = bob.getByRole('button', { name: `Block ${people.alice.displayName}` });
    await blockButton.click();
    await bob.getByRole('button', { name: `Unblock ${people.alice.displayName}` }).waitFor({ timeout: WAIT });
    await bob.locator('#members-button').click();
    await typeAndSend(alice, 'Anyone?');
    // all of alice's messages are hidden for bob now, the new one too
    await bob.locator('#message-list li.msg.blocked', { hasText: 'Message from someone you blocked' }).nth(1)
      .waitFor({ timeout: WAIT });
    assert.equal(await bob.locator('#message-list .text', { hasText: 'Anyone?' }).count(), 0);
    await shot(bob, 'features-03-blocked');
    await bob.locator('#members-button').click();
    await bob.getByRole('button', { name: `Unblock ${people.alice.displayName}` }).click();
    await bob.getByRole('button', { name: `Block ${people.alice.displayName}` }).waitFor({ timeout: WAIT });
    await item(bob, 'Anyone?').waitFor({ timeout: WAIT });
  });
}

runScript(main);
