// Receipts: how far each member has received and read, the ticks of my messages, unread counts, and telling the
// server what this client has received and read.

import { api, me, newId, socket, state, ui } from './state.js';
import { userName } from './users.js';
import { nameList } from './format.js';
import { retryDelay } from './outbox.js';

// Receipts sent and not yet confirmed (`ok`), by frame id. One the server refused for now (UNAVAILABLE: busy, or
// RATE_LIMITED) is sent again after its hint, backing off: this client already shows it as read, and without it the
// server, the other members and the user's other devices would not know until the next read.
const unconfirmed = new Map();
const UNCONFIRMED_MAX = 200;

function sendReceipt(type, conversationId, upToSeq, attempt = 0) {
  const id = newId(type === 'read' ? 'r-' : 'd-');
  if (unconfirmed.size >= UNCONFIRMED_MAX) unconfirmed.delete(unconfirmed.keys().next().value); // lost with a socket
  unconfirmed.set(id, { type, conversationId, upToSeq, attempt });
  socket.send({ type, id, conversationId, upToSeq });
}

export function onReceiptConfirmed(id) {
  unconfirmed.delete(id);
}

/** Whether `frame` (an error) answers a receipt of this client; a refusal for now sends it again later. */
export function onReceiptRefused(frame) {
  const receipt = unconfirmed.get(frame.id);
  if (!receipt) return false;
  unconfirmed.delete(frame.id);
  if (frame.code === 'UNAVAILABLE' || frame.code === 'RATE_LIMITED') {
    setTimeout(() => {
      if (socket && socket.online) sendReceipt(receipt.type, receipt.conversationId, receipt.upToSeq, receipt.attempt + 1);
    }, retryDelay(frame, receipt.attempt, 1_000));
  }
  return true;
}

function cursorOf(conv, userId) {
  let cursor = conv.cursors.get(userId);
  if (!cursor) {
    cursor = { delivered: 0, read: 0 };
    conv.cursors.set(userId, cursor);
  }
  return cursor;
}

export function noteCursor(conv, userId, kind, upToSeq) {
  if (!userId || userId === me()) return;
  const cursor = cursorOf(conv, userId);
  if (cursor[kind] >= upToSeq) return;
  cursor[kind] = upToSeq;
  if (kind === 'read') cursor.delivered = Math.max(cursor.delivered, upToSeq);
}

/** Every member's cursors from the read model: what was read while this client was not listening. */
export async function loadReceipts(conv) {
  try {
    const cursors = await api.receipts(conv.id);
    for (const c of cursors || []) {
      noteCursor(conv, c.userId, 'delivered', c.deliveredSeq || 0);
      noteCursor(conv, c.userId, 'read', c.readSeq || 0);
    }
    if (conv.id === state.openId) ui.renderMessages(conv);
  } catch {
    // live receipts still arrive
  }
}

export function onReceipt(frame) {
  const conv = state.conversations.get(frame.conversationId);
  if (!conv) return;
  if (frame.userId === me()) {
    // another device of mine
    if (frame.kind === 'read' && frame.upToSeq > conv.readSeq) {
      conv.readSeq = frame.upToSeq;
      conv.unread = countUnread(conv);
      if (conv.unread === 0) conv.unreadMentions = 0;
      ui.renderList();
    }
    if (frame.kind === 'delivered') conv.deliveredSeq = Math.max(conv.deliveredSeq, frame.upToSeq);
    return;
  }
  noteCursor(conv, frame.userId, frame.kind, frame.upToSeq);
  if (conv.id === state.openId) ui.renderMessages(conv);
}

/** As the server counts unread: someone else's message above my read cursor, not deleted. */
export function isUnread(conv, message) {
  return message.seq > conv.readSeq && message.senderId !== me() && !message.deleted;
}

function countUnread(conv) {
  if (conv.readSeq >= conv.lastSeq) return 0;
  let count = 0;
  for (const m of conv.messages.values()) if (isUnread(conv, m)) count++;
  return Math.max(count, Math.min(conv.unread, conv.lastSeq - conv.readSeq));
}

/** The state of one of my messages: pending, failed, sent, delivered, read; in groups with who has read it. */
export function ownStatus(conv, message) {
  const others = conv.members.map((m) => m.userId).filter((id) => id !== me());
  if (others.length === 0) return { state: 'sent', label: 'Sent', readers: [] };
  const readers = others.filter((id) => cursorOf(conv, id).read >= message.seq);
  const deliveredTo = others.filter((id) => cursorOf(conv, id).delivered >= message.seq);
  let stateName = 'sent';
  if (readers.length === others.length) stateName = 'read';
  else if (deliveredTo.length === others.length) stateName = 'delivered';
  let label = { sent: 'Sent', delivered: 'Delivered', read: 'Read' }[stateName];
  if (conv.type === 'group' && readers.length > 0 && stateName !== 'read') {
    label += `, read by ${nameList(readers.map(userName))}`;
  } else if (conv.type === 'group' && stateName === 'read') {
    label = 'Read by everyone';
  }
  return { state: stateName, label, readers };
}

export function scheduleDelivered(conv) {
  clearTimeout(conv.deliveredTimer);
  conv.deliveredTimer = setTimeout(() => {
    if (conv.lastSeq > conv.deliveredSeq && socket && socket.online) {
      conv.deliveredSeq = conv.lastSeq;
      sendReceipt('delivered', conv.id, conv.lastSeq);
    }
  }, 200);
}

export function isReading(conv) {
  return conv.id === state.openId && document.visibilityState === 'visible' && !isNarrowAndListShown();
}

function isNarrowAndListShown() {
  return window.matchMedia('(max-width: 720px)').matches && !document.body.classList.contains('show-conversation');
}

export function markReadIfReading(conv) {
  if (!isReading(conv) || !conv.loaded) return;
  const upTo = conv.lastSeq;
  if (upTo <= conv.readSeq && conv.unread === 0) return;
  if (!socket || !socket.online) return; // done again after the next sync
  if (upTo > conv.readSeq) {
    sendReceipt('read', conv.id, upTo);
  }
  conv.readSeq = Math.max(conv.readSeq, upTo);
  conv.deliveredSeq = Math.max(conv.deliveredSeq, upTo);
  conv.unread = 0;
  conv.unreadMentions = 0;
  ui.renderList();
}
