// Message search in the web client (see search.js): a member finds a message by a word written with other case and
// accents, sees the word marked (markup in a message stays text), jumps to an older message in its chat, and a
// person outside the chat finds nothing.

import assert from 'node:assert/strict';
import {
  WAIT, launch, pages, people, register, runScript, shot, step, typeAndSend, watch,
} from './support.mjs';

runScript(async () => {
  const browser = await launch();
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  const carol = await (await browser.newContext()).newPage();
  Object.assign(pages, { alice, bob, carol });
  watch(alice, 'alice');
  watch(bob, 'bob');
  watch(carol, 'carol');

  await step('alice, bob and carol register', async () => {
    await register(alice, people.alice);
    await register(bob, people.bob);
    await register(carol, people.carol);
  });

  await step('alice opens a chat with bob and writes, the oldest message first', async () => {
    const search = alice.locator('#user-search');
    await search.focus();
    await search.pressSequentially(people.bob.username, { delay: 5 });
    const result = alice.locator(`#search-results button[data-username="${people.bob.username}"]`);
    await result.waitFor({ timeout: WAIT });
    await result.click();
    await alice.waitForFunction((n) => document.querySelector('#conversation-title')?.textContent === n,
      people.bob.displayName, { timeout: WAIT });
    await typeAndSend(alice, 'Meet me at the Café Crème <b>tomorrow</b>');
    for (let i = 1; i <= 60; i++) {
      await typeAndSend(alice, `filler ${i}`);
    }
    await alice.waitForFunction(() => [...document.querySelectorAll('#message-list li.msg p.text')]
      .some((p) => p.textContent === 'filler 60'), null, { timeout: WAIT * 2 });
  });

  await step('bob searches "cafe" and sees the message with the word marked and its markup as text', async () => {
    await bob.locator('#message-search').fill('cafe');
    await bob.locator('#message-search').press('Enter');
    const hit = bob.locator('#message-search-results button.found-message');
    await hit.first().waitFor({ timeout: WAIT });
    assert.equal(await hit.count(), 1);
    assert.equal(await hit.locator('.found-text').textContent(), 'Meet me at the Café Crème <b>tomorrow</b>');
    assert.equal(await hit.locator('mark').textContent(), 'Café');
    assert.equal(await hit.locator('.found-text b').count(), 0, 'markup in a message is never HTML');
    await shot(bob, 'search-results');
  });

  await step('bob chooses the result: the chat opens at that message, loaded from history', async () => {
    await bob.locator('#message-search-results button.found-message').first().click();
    await bob.waitForFunction((n) => document.querySelector('#conversation-title')?.textContent === n,
      people.alice.displayName, { timeout: WAIT });
    const found = bob.locator('#message-list li.msg.found');
    await found.waitFor({ timeout: WAIT });
    assert.equal(await found.locator('p.text').textContent(), 'Meet me at the Café Crème <b>tomorrow</b>');
    assert.equal(await found.getAttribute('data-seq'), '1');
    const visible = await found.evaluate((el) => {
      const box = document.querySelector('#messages').getBoundingClientRect();
      const r = el.getBoundingClientRect();
      return r.bottom > box.top && r.top < box.bottom;
    });
    assert.ok(visible, 'the message is scrolled into view');
    await shot(bob, 'search-jump');
  });

  await step('carol, not in the chat, finds nothing', async () => {
    await carol.locator('#message-search').fill('CAFÉ');
    await carol.locator('#message-search').press('Enter');
    await carol.locator('#message-search-results .no-results').waitFor({ timeout: WAIT });
    assert.equal(await carol.locator('#message-search-results button.found-message').count(), 0);
  });
});
