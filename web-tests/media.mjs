// Browser test of media sharing in Parley's web client (issue 14): alice attaches a picture and a document in
// Chromium, sees the upload finish, adds a caption and sends; bob sees the thumbnail in his timeline, opens it full
// size, and sees the document as a card with a download link. Shared steps and helpers: support.mjs.
//
//   PARLEY_URL=http://localhost:8080 node web-tests/media.mjs

import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import {
  WAIT, people, pages, step, shot, watch, launch, runScript, register, typeAndSend, openConversationNamed,
} from './support.mjs';

/** A real PNG (RGB gradient) of `width` × `height`, made here with zlib. */
function png(width, height) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = (x * 255) / width;
      raw[row + 2 + x * 3] = (y * 255) / height;
      raw[row + 3 + x * 3] = 160;
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

async function waitUploaded(page, count) {
  await page.waitForFunction((n) => {
    const items = [...document.querySelectorAll('#attachment-tray .tray-item')];
    return items.length === n && items.every((li) => li.dataset.state === 'ready');
  }, count, { timeout: WAIT });
}

async function main() {
  const browser = await launch();
  const alice = pages.alice = await (await browser.newContext({ viewport: { width: 1180, height: 760 } })).newPage();
  const bob = pages.bob = await (await browser.newContext({ viewport: { width: 1180, height: 760 } })).newPage();
  watch(alice, 'alice');
  watch(bob, 'bob');

  await step('alice and bob register', async () => {
    await register(alice, people.alice);
    await register(bob, people.bob);
  });

  await step('alice finds bob and opens a direct conversation', async () => {
    await alice.locator('#user-search').fill(people.bob.username);
    const result = alice.locator(`#search-results button[data-username="${people.bob.username}"]`);
    await result.waitFor({ timeout: WAIT });
    await result.click();
    await alice.waitForFunction((n) => document.querySelector('#conversation-title')?.textContent === n,
      people.bob.displayName, { timeout: WAIT });
  });

  await step('alice attaches a picture with the attach button and sees the upload finish', async () => {
    const chooser = alice.waitForEvent('filechooser');
    await alice.locator('#attach-button').click();
    await (await chooser).setFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: png(800, 600) });
    await waitUploaded(alice, 1);
    await shot(alice, 'media-01-alice-attached');
  });

  await step('alice adds a caption and sends; the picture shows in her timeline', async () => {
    await typeAndSend(alice, 'Sunset at the lake');
    await alice.locator('#message-list .media-thumb img').first().waitFor({ timeout: WAIT });
    assert.equal(await alice.locator('#attachment-tray .tray-item').count(), 0, 'the tray is empty after sending');
  });

  await step('bob sees the thumbnail, loaded, beside the caption', async () => {
    await openConversationNamed(bob, people.alice.displayName);
    const img = bob.locator('#message-list .media-thumb img').first();
    await img.waitFor({ timeout: WAIT });
    await bob.waitForFunction(() => {
      const el = document.querySelector('#message-list .media-thumb img');
      return el && el.complete && el.naturalWidth > 0;
    }, null, { timeout: WAIT });
    const natural = await img.evaluate((el) => el.naturalWidth);
    assert.equal(natural, 320, 'the thumbnail is 320 pixels wide');
    await bob.locator('#message-list .text', { hasText: 'Sunset at the lake' }).waitFor({ timeout: WAIT });
    await shot(bob, 'media-02-bob-thumbnail');
  });

  await step('bob opens it full size', async () => {
    await bob.locator('#message-list .media-thumb').first().click();
    await bob.waitForFunction(() => {
      const el = document.querySelector('#media-viewer .full-size');
      return el && el.complete && el.naturalWidth === 800;
    }, null, { timeout: WAIT });
    await shot(bob, 'media-03-bob-full-size');
    await bob.locator('#media-viewer').getByRole('button', { name: 'Close' }).click();
  });

  await step('alice sends a document without caption; bob sees a card with name, type, size and a download link', async () => {
    await alice.locator('#attach-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain',
      buffer: Buffer.from('Bring sunscreen.\n') });
    await waitUploaded(alice, 1);
    await alice.locator('#composer-input').press('Enter');
    const card = bob.locator('#message-list .media-card', { hasText: 'notes.txt' });
    await card.waitFor({ timeout: WAIT });
    assert.match(await card.locator('.media-type').textContent(), /text\/plain · 17 B/);
    assert.equal(await card.getByRole('link', { name: 'Download notes.txt' }).count(), 1);
    await shot(bob, 'media-04-bob-document');
  });
}

runScript(main);
