// Browser test of a receipt the server refuses for now: alice's client sends `read` as she opens a conversation, the
// server answers UNAVAILABLE (busy) once, and her client sends it again after the hint, so the server, bob and her
// other devices learn she has read. The refusal is put in the socket by the test (Playwright's routeWebSocket, in
// front of the real server): a busy server refuses when many clients send at once, which no test can time.
// Run by BrowserReceiptsTest.
//
//   PARLEY_URL=http://localhost:8080 node web-tests/receipts.mjs

import assert from 'node:assert/strict';
import {
  WAIT, api, people, pages, step, watch, launch, runScript, register, token, openConversationNamed,
} from './support.mjs';

async function main() {
  const browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1180, height: 760 } });
  const reads = [];
  let refuseNextRead = true;
  await context.routeWebSocket(/\/ws/, (page) => {
    const server = page.connectToServer();
    page.onMessage((message) => {
      const frame = JSON.parse(message);
      if (frame.type === 'read') {
        reads.push({ ...frame, refused: refuseNextRead });
        if (refuseNextRead) {
          refuseNextRead = false;
          page.send(JSON.stringify({
            type: 'error', id: frame.id, code: 'UNAVAILABLE', retryAfter: 1,
            message: 'the server is busy: 5000 commands wait before this one; try again',
          }));
          return;
        }
      }
      server.send(message);
    });
  });
  const alice = pages.alice = await context.newPage();
  watch(alice, 'alice');

  await step('alice registers', async () => {
    await register(alice, people.alice);
  });

  let conversationId;
  await step('bob opens a direct conversation with alice and sends her three messages', async () => {
    const { bob } = people;
    await api('POST', '/api/users', { username: bob.username, password: bob.password, displayName: bob.displayName });
    const session = await api('POST', '/api/sessions', { username: bob.username, password: bob.password });
    const aliceId = await alice.evaluate(() => JSON.parse(sessionStorage.getItem('parley.session')).userId);
    ({ conversationId } = await api('POST', '/api/conversations/direct', { userId: aliceId }, session.token));
    for (let i = 1; i <= 3; i++) {
      await api('POST', `/api/conversations/${conversationId}/messages`, { clientMsgId: `m${i}`, text: `hello ${i}` },
        session.token);
    }
  });

  await step('alice opens it: her first read is refused (busy), the next one after the hint is stored', async () => {
    await openConversationNamed(alice, people.bob.displayName);
    const bearer = await token(alice);
    const deadline = Date.now() + WAIT;
    let summary;
    do {
      await new Promise((done) => setTimeout(done, 250));
      summary = (await api('GET', '/api/conversations', null, bearer)).find((c) => c.conversationId === conversationId);
    } while (summary.readSeq < 3 && Date.now() < deadline);
    assert.equal(summary.readSeq, 3, `the server has alice's read: ${JSON.stringify(summary)}; reads ${JSON.stringify(reads)}`);
    assert.equal(summary.unread, 0);
    assert.ok(reads.length >= 2 && reads[0].refused && !reads[1].refused, `refused, then sent again: ${JSON.stringify(reads)}`);
    assert.equal(reads[1].upToSeq, reads[0].upToSeq);
  });
}

runScript(main);
