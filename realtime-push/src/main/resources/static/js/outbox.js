// The outbox: messages written but not yet acknowledged, kept in the tab's sessionStorage and sent with the same id
// until the server acknowledges them (timeline.js turns an ack into a message).

import { me, newId, socket, state, ui } from './state.js';
import { alertText } from './announce.js';

const OUTBOX_KEY = 'parley.outbox';

export function outboxKey() {
  return `${OUTBOX_KEY}.${me()}`;
}

export function loadOutbox() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(outboxKey()) || '[]');
    state.outbox = Array.isArray(saved) ? saved : [];
  } catch {
    state.outbox = [];
  }
}

export function saveOutbox() {
  sessionStorage.setItem(outboxKey(), JSON.stringify(state.outbox));
}

/** Sends what the outbox holds, each with its own id: a resend after a reconnect is recognised by the server. */
export function flushOutbox() {
  if (!socket || !socket.online) return;
  for (const entry of state.outbox) {
    if (entry.failed) continue;
    socket.send(sendFrame(entry));
  }
}

/**
 * The send frame of an outbox entry: its id, text (a caption may be empty when it carries attachments: media ids),
 * and the attachments, mentions and reply it was written with.
 */
function sendFrame(entry) {
  const frame = { type: 'send', id: entry.id, conversationId: entry.conversationId };
  if (entry.text) frame.text = entry.text;
  if (entry.attachments && entry.attachments.length > 0) frame.attachments = entry.attachments;
  if (entry.mentions && entry.mentions.length) frame.mentions = entry.mentions;
  if (entry.replyTo != null) frame.replyTo = entry.replyTo;
  return frame;
}

export function sendMessage(conv, text, { attachments = [], mentions = [], replyTo = null } = {}) {
  const entry = { id: newId('m-'), conversationId: conv.id, text, attachments, createdAt: new Date().toISOString(),
    failed: false, mentions, replyTo };
  state.outbox.push(entry);
  saveOutbox();
  if (socket && socket.online) {
    socket.send(sendFrame(entry));
  }
  conv.updatedAt = entry.createdAt;
  ui.renderList();
  ui.renderMessages(conv, { toBottom: true });
}

/**
 * How long to wait before trying again after the error `frame`: its `retryAfter` hint (seconds) or `fallback` ms,
 * doubled for each earlier retry (`attempt`), at most 30 s, plus up to half again at random, so that the clients of
 * a node that could not reach the command side do not all come back in step.
 */
export function retryDelay(frame, attempt = 0, fallback = 3_000) {
  const hint = Number.isFinite(frame.retryAfter) && frame.retryAfter > 0 ? frame.retryAfter * 1_000 : fallback;
  const wait = Math.min(30_000, hint * 2 ** Math.min(attempt, 10));
  return Math.round(wait + Math.random() * wait / 2);
}

export function onSendError(entry, frame) {
  if (frame.code === 'RATE_LIMITED' || frame.code === 'INTERNAL' || frame.code === 'UNAVAILABLE') {
    // try again later, still with the same id, backing off while the failures go on
    const delay = retryDelay(frame, entry.retries || 0);
    entry.retries = (entry.retries || 0) + 1;
    setTimeout(() => {
      if (state.outbox.includes(entry) && socket && socket.online) {
        socket.send(sendFrame(entry));
      }
    }, delay);
    return;
  }
  entry.failed = true;
  entry.error = frame.message || frame.code;
  saveOutbox();
  alertText(`Message not sent: ${entry.error}`);
  const conv = state.conversations.get(entry.conversationId);
  if (conv) ui.renderMessages(conv);
}
