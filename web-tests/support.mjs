// Shared by the browser tests (chat.mjs and the feature scripts beside it): the running Parley's address, the step
// runner with its failure report, screenshots, page watching and the common user actions of the web client.
//
// A script is `runScript(async () => { ... steps ... })`; it exits 0 when every step passed, otherwise prints the
// failing step, saves failure-*.png of every page in `pages` and exits 1.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const BASE = (process.env.PARLEY_URL || 'http://localhost:8080').replace(/\/$/, '');
export const SHOTS = resolve(process.env.PARLEY_SCREENSHOTS || join(here, '..', 'standalone', 'target', 'screenshots'));
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const WAIT = 15_000;

mkdirSync(SHOTS, { recursive: true });

export const run = Date.now().toString(36).slice(-5) + Math.floor(Math.random() * 1e4).toString(36);
export const people = {
  alice: { username: `alice_${run}`, displayName: 'Alice Martin', password: 'correct horse 1' },
  bob: { username: `bob_${run}`, displayName: 'Bob Okafor', password: 'battery staple 2' },
  carol: { username: `carol_${run}`, displayName: 'Carol Diaz', password: 'purple monkey 3' },
};

export const problems = []; // uncaught page errors and CSP violations: any of them fails the run
export const pages = {};
let stepName = '';
export let browser;

export function log(text) {
  process.stdout.write(`[web-test] ${text}\n`);
}

export async function step(name, fn) {
  stepName = name;
  const started = Date.now();
  await fn();
  log(`ok   ${name} (${Date.now() - started} ms)`);
}

export async function shot(page, name) {
  const file = join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The last socket events of each page (opens, frames both ways, closes), printed when a step fails. */
export const socketLog = {};
const SOCKET_LOG_SIZE = 40;

export function watch(page, who) {
  const events = socketLog[who] = [];
  const note = (text) => {
    events.push(`${new Date().toISOString().slice(11, 23)} ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`);
    if (events.length > SOCKET_LOG_SIZE) events.shift();
  };
  page.on('websocket', (ws) => {
    note(`open ${ws.url().replace(/ticket=[^&]+/, 'ticket=…')}`);
    ws.on('framesent', (frame) => note(`> ${frame.payload}`));
    ws.on('framereceived', (frame) => note(`< ${frame.payload}`));
    ws.on('socketerror', (error) => note(`error ${error}`));
    ws.on('close', () => note('closed'));
  });
  page.on('pageerror', (error) => problems.push(`${who}: uncaught error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(text)) problems.push(`${who}: ${text}`);
    if (process.env.VERBOSE) log(`${who} console ${message.type()}: ${text}`);
  });
}

/** Calls Parley's HTTP API as a client other than the browser would; fails on any answer but 2xx. */
export async function api(method, path, body, bearer) {
  const response = await fetch(BASE + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The message items of the open conversation whose text is exactly `text`. */
export function messageItems(page, text) {
  return page.locator('#message-list li.msg').filter({ has: page.locator('p.text', { hasText: new RegExp(`^${escapeRegex(text)}$`) }) });
}

export function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function waitForState(page, text, wanted) {
  const item = messageItems(page, text);
  await item.first().waitFor({ timeout: WAIT });
  await page.waitForFunction(([t, states]) => {
    const items = [...document.querySelectorAll('#message-list li.msg')]
      .filter((li) => li.querySelector('p.text')?.textContent === t);
    return items.length === 1 && states.includes(items[0].dataset.state);
  }, [text, [].concat(wanted)], { timeout: WAIT });
}

export async function stateOf(page, text) {
  return messageItems(page, text).first().getAttribute('data-state');
}

/** How many times each text appears in the open conversation. */
export async function textCounts(page) {
  return page.evaluate(() => {
    const counts = {};
    for (const p of document.querySelectorAll('#message-list li.msg p.text')) {
      counts[p.textContent] = (counts[p.textContent] || 0) + 1;
    }
    return counts;
  });
}

export async function connectionState(page) {
  return page.locator('#connection-status').getAttribute('data-state');
}

export async function waitOnline(page) {
  await page.waitForFunction(() => document.querySelector('#connection-status')?.dataset.state === 'online',
    null, { timeout: WAIT });
}

export async function register(page, person) {
  const response = await page.goto(BASE, { waitUntil: 'domcontentloaded' });
  const headers = response.headers();
  assert.match(headers['content-security-policy'] || '', /script-src 'self'/, 'the page is served with a CSP');
  assert.equal(headers['x-content-type-options'], 'nosniff');
  await page.locator('#auth-view').waitFor({ timeout: WAIT });
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByLabel('Username').and(page.locator('#register-username')).fill(person.username);
  await page.locator('#register-display-name').fill(person.displayName);
  await page.locator('#register-password').fill(person.password);
  await page.locator('#register-form').getByRole('button', { name: 'Create account' }).click();
  await page.locator('#chat-view').waitFor({ timeout: WAIT });
  await waitOnline(page);
  await page.waitForFunction((name) => document.querySelector('#me-name')?.textContent === name, person.displayName,
    { timeout: WAIT });
}

export async function token(page) {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('parley.session')).token);
}

export async function typeAndSend(page, text) {
  const composer = page.locator('#composer-input');
  await composer.click();
  await composer.pressSequentially(text, { delay: 5 });
  await composer.press('Enter');
}

/** Waits until the open direct conversation's header says whether the other person is online. */
export async function waitForHeaderPresence(page, online) {
  await page.waitForFunction((wanted) => {
    const subtitle = document.querySelector('#conversation-subtitle');
    return subtitle?.dataset.online === String(wanted) && (subtitle.textContent === 'online') === wanted;
  }, online, { timeout: WAIT });
}

export async function openConversationNamed(page, name) {
  const item = page.locator('#conversation-list .conv', { has: page.locator('.conv-name', { hasText: name }) });
  await item.first().waitFor({ timeout: WAIT });
  await item.first().click();
  await page.waitForFunction((n) => document.querySelector('#conversation-title')?.textContent === n, name,
    { timeout: WAIT });
}


/** Starts Chromium (headless unless HEADED=1) with the flags the tests need here. */
export async function launch() {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: !process.env.HEADED,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  return browser;
}

/** Runs a script's steps: exit 0 when all passed, otherwise the failing step, screenshots and exit 1. */
export function runScript(main) {
  main()
    .then(async () => {
      assert.deepEqual(problems, [], 'no uncaught errors and no Content-Security-Policy violations');
      await browser.close();
      log(`all steps passed; screenshots in ${SHOTS}`);
      process.exit(0);
    })
    .catch(async (error) => {
      process.stderr.write(`[web-test] FAILED at step: ${stepName}\n${error && error.stack ? error.stack : error}\n`);
      if (problems.length) process.stderr.write(`[web-test] page problems:\n  ${problems.join('\n  ')}\n`);
      for (const [who, events] of Object.entries(socketLog)) {
        process.stderr.write(`[web-test] ${who}'s last socket events:\n  ${events.join('\n  ') || '(none)'}\n`);
      }
      for (const [who, page] of Object.entries(pages)) {
        try {
          await shot(page, `failure-${who}`);
        } catch {
          // the page may be gone
        }
      }
      try {
        if (browser) await browser.close();
      } catch {
        // ignore
      }
      process.exit(1);
    });
}
