// Parley's web client: plain ES modules, no build step, no framework.
//
// Data flow: REST for what is read on demand (conversation list, history pages, profiles, search) and for changes
// to groups; the socket for everything live (messages, receipts, presence, typing, member changes, edits, deletes)
// and for sending. Messages are kept per conversation in a Map keyed by seq, so whatever arrives twice (sync after a
// reconnect, a history page overlapping live frames) is stored once: dedupe by (conversationId, seq).
//
// Every piece of text from the server or a user is put into the page with textContent (see dom.js), never as HTML.

import { Api, ApiError } from './api.js';
import { ChatSocket } from './socket.js';
import { $, h, icon, replaceChildren, srOnly, clear } from './dom.js';
import { clockTime, fullTime, nameList, presenceText, shortTime } from './format.js';

// ------------------------------------------------------------------------------------------------ session storage
//
// The session token lives in sessionStorage, not localStorage: it survives a reload of the tab (the issue asks for
// that) but not the closing of the tab or of the browser, and other tabs do not see it. Either store is readable by
// script on this origin; what keeps foreign script out is the Content-Security-Policy (only this origin's scripts
// run) and rendering all text with textContent. A cookie is not used because the API takes a bearer token. Logging
// out removes it (and the unsent-message outbox) at once and ends the session on the server, so a copy left behind is
// refused. The socket is opened with a one-time ticket, never with the token in its URL.

const SESSION_KEY = 'parley.session';
const OUTBOX_KEY = 'parley.outbox';
const PAGE_SIZE = 50;
const TYPING_SEND_EVERY = 2_000;
const TYPING_SHOWN_FOR = 4_500;

function loadSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    if (!session || !session.token || !session.userId) return null;
    if (session.expiresAt && Date.parse(session.expiresAt) <= Date.now()) return null;
    return session;
  } catch {
    return null;
  }
}

function saveSession(session) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

// ------------------------------------------------------------------------------------------------ state

const state = {
  session: null,
  users: new Map(), // userId -> {userId, username, displayName}
  presence: new Map(), // userId -> {online, lastSeen, frames}: see presenceOf
  userRequests: new Map(), // userId -> Promise
  conversations: new Map(), // conversationId -> conversation (see newConversation)
  openId: null,
  outbox: [], // [{id, conversationId, text, createdAt, failed, error}] — persisted, sent with the same id until acked
  pendingOps: new Map(), // frame id -> description, for edit/delete/read frames awaiting ok
  syncId: null,
  socketState: 'connecting',
  lastTypingSent: new Map(),
  frameCounter: 0,
};

const api = new Api(() => state.session && state.session.token, () => sessionExpired());
let socket = null;

function me() {
  return state.session && state.session.userId;
}

function newId(prefix = '') {
  // crypto.randomUUID needs a secure context; getRandomValues works on plain http too.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function newConversation(id) {
  return {
    id,
    type: 'direct',
    name: null,
    members: [], // [{userId, role}]
    lastSeq: 0,
    readSeq: 0,
    deliveredSeq: 0,
    unread: 0,
    lastMessage: null,
    updatedAt: null,
    placeholder: false,
    createdAt: Date.now(), // when this page heard of it
    messages: new Map(), // seq -> message
    loaded: false,
    loading: false,
    hasMore: false,
    cursors: new Map(), // userId -> {delivered, read}: other members' receipts
    typing: new Map(), // userId -> timer
    notes: [], // [{key, afterSeq, text}]: member changes seen live
    memberChanges: new Map(), // userId -> {member|null, at}: live member frames, applied over older lists
    deliveredTimer: null,
  };
}

function conversation(id) {
  let conv = state.conversations.get(id);
  if (!conv) {
    conv = newConversation(id);
    state.conversations.set(id, conv);
  }
  return conv;
}

// ------------------------------------------------------------------------------------------------ users

function userName(userId) {
  if (userId === me()) return 'You';
  const user = state.users.get(userId);
  return user ? (user.displayName || user.username) : '…';
}

/**
 * Reads a user's profile and presence (`GET /api/users/{id}`) the first time the user appears anywhere (the list, a
 * conversation opened, a frame), or again with `refresh`. A search result brings a profile but no presence: the
 * user is read all the same.
 */
function ensureUser(userId, { refresh = false } = {}) {
  if (!userId) return Promise.resolve(null);
  if (!refresh && state.users.has(userId) && state.presence.has(userId)) return Promise.resolve(state.users.get(userId));
  if (state.userRequests.has(userId)) return state.userRequests.get(userId);
  const request = (async () => {
    // A user registered a moment ago may not be in the directory yet: try a few times.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const framesBefore = presenceFrames(userId);
        const { online, lastSeen, ...user } = await api.user(userId);
        state.users.set(userId, { ...state.users.get(userId), ...user });
        if (presenceFrames(userId) === framesBefore) {
          // no frame came while the answer was on its way, so it is the latest news
          state.presence.set(userId, { online, lastSeen, frames: framesBefore });
        }
        scheduleRender();
        return user;
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 404) break;
        await sleep(300 * (attempt + 1));
      }
    }
    return state.users.get(userId) || null;
  })().finally(() => state.userRequests.delete(userId));
  state.userRequests.set(userId, request);
  return request;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The other member of a direct conversation. */
function otherMember(conv) {
  const other = conv.members.find((m) => m.userId !== me());
  return other ? other.userId : null;
}

function conversationTitle(conv) {
  if (conv.type === 'group') return conv.name || 'Group';
  const other = otherMember(conv);
  return other ? userName(other) : 'Conversation';
}

function initials(text) {
  const words = (text || '?').trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] || '?').slice(0, 2);
  return letters.toUpperCase();
}

function colourClass(key) {
  let hash = 0;
  for (const ch of key || '') hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return `c${hash % 8}`;
}

function fillAvatar(el, label, key) {
  el.textContent = initials(label);
  el.className = `avatar ${colourClass(key)}`;
}

// ------------------------------------------------------------------------------------------------ outbox

function outboxKey() {
  return `${OUTBOX_KEY}.${me()}`;
}

function loadOutbox() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(outboxKey()) || '[]');
    state.outbox = Array.isArray(saved) ? saved : [];
  } catch {
    state.outbox = [];
  }
}

function saveOutbox() {
  sessionStorage.setItem(outboxKey(), JSON.stringify(state.outbox));
}

/** Sends what the outbox holds, each with its own id: a resend after a reconnect is recognised by the server. */
function flushOutbox() {
  if (!socket || !socket.online) return;
  for (const entry of state.outbox) {
    if (entry.failed) continue;
    socket.send({ type: 'send', id: entry.id, conversationId: entry.conversationId, text: entry.text });
  }
}

function sendMessage(conv, text) {
  const entry = { id: newId('m-'), conversationId: conv.id, text, createdAt: new Date().toISOString(), failed: false };
  state.outbox.push(entry);
  saveOutbox();
  if (socket && socket.online) {
    socket.send({ type: 'send', id: entry.id, conversationId: entry.conversationId, text: entry.text });
  }
  conv.updatedAt = entry.createdAt;
  renderList();
  renderMessages(conv, { toBottom: true });
}

function onAck(frame) {
  const index = state.outbox.findIndex((e) => e.id === frame.id);
  const entry = index >= 0 ? state.outbox[index] : null;
  if (index >= 0) {
    state.outbox.splice(index, 1);
    saveOutbox();
  }
  const conv = conversation(frame.conversationId);
  const known = conv.messages.get(frame.seq);
  addMessage(conv, {
    conversationId: frame.conversationId,
    messageId: frame.messageId,
    seq: frame.seq,
    senderId: me(),
    text: known ? known.text : entry ? entry.text : '',
    sentAt: frame.sentAt,
    editedAt: known ? known.editedAt : null,
    deleted: known ? known.deleted : false,
    attachments: [],
  }, { live: true });
}

function onSendError(entry, frame) {
  if (frame.code === 'RATE_LIMITED' || frame.code === 'INTERNAL') {
    // try again a little later, still with the same id
    setTimeout(() => {
      if (state.outbox.includes(entry) && socket && socket.online) {
        socket.send({ type: 'send', id: entry.id, conversationId: entry.conversationId, text: entry.text });
      }
    }, 3_000);
    return;
  }
  entry.failed = true;
  entry.error = frame.message || frame.code;
  saveOutbox();
  alertText(`Message not sent: ${entry.error}`);
  const conv = state.conversations.get(entry.conversationId);
  if (conv) renderMessages(conv);
}

// ------------------------------------------------------------------------------------------------ messages

/**
 * Stores a message once per (conversationId, seq); a second copy only merges. Answers true for a message not seen
 * before. `live`: it arrived on the socket (count it unread, confirm delivery, announce it).
 */
function addMessage(conv, message, { live = false } = {}) {
  const existing = conv.messages.get(message.seq);
  if (existing) {
    Object.assign(existing, pickDefined(message));
    if (conv.lastMessage && conv.lastMessage.seq === message.seq) conv.lastMessage = { ...existing };
    if (conv.id === state.openId) renderMessages(conv);
    return false;
  }
  const isNew = message.seq > conv.lastSeq;
  conv.messages.set(message.seq, { ...message });
  if (message.senderId) {
    // The sender has seen everything up to their own message (the read model counts a reply as reading too).
    noteCursor(conv, message.senderId, 'read', message.seq);
  }
  if (!conv.lastMessage || message.seq >= conv.lastMessage.seq) {
    conv.lastMessage = { ...message };
    conv.updatedAt = message.sentAt || conv.updatedAt;
  }
  if (isNew) {
    const gap = conv.loaded && message.seq > conv.lastSeq + 1 && conv.lastSeq > 0;
    const previousLast = conv.lastSeq;
    conv.lastSeq = message.seq;
    if (gap) fillGap(conv, previousLast);
  }
  if (message.senderId === me()) {
    conv.readSeq = Math.max(conv.readSeq, message.seq);
  } else if (live && isNew) {
    clearTyping(conv, message.senderId);
    if (isUnread(conv, message) && !isReading(conv)) conv.unread += 1;
    scheduleDelivered(conv);
    announceMessage(conv, message);
  }
  if (conv.id === state.openId) {
    renderMessages(conv, { toBottom: live && message.senderId === me() });
    markReadIfReading(conv);
  }
  renderList();
  return true;
}

function pickDefined(message) {
  const out = {};
  for (const [k, v] of Object.entries(message)) if (v !== undefined && v !== null) out[k] = v;
  if (message.deleted) out.text = null;
  return out;
}

function onMessageUpdated(frame) {
  const conv = state.conversations.get(frame.conversationId);
  if (!conv) return;
  const message = conv.messages.get(frame.seq);
  if (message) {
    if (frame.deleted) {
      if (isUnread(conv, message)) conv.unread = Math.max(0, conv.unread - 1);
      message.deleted = true;
      message.text = null;
    } else {
      message.text = frame.text;
      message.editedAt = frame.editedAt;
    }
  } else if (frame.deleted && frame.seq > conv.readSeq) {
    refreshConversations(); // counted unread before this page had it: the server's count comes with the list
  }
  if (conv.lastMessage && conv.lastMessage.seq === frame.seq) {
    conv.lastMessage = { ...conv.lastMessage, text: frame.deleted ? null : frame.text, deleted: !!frame.deleted,
      editedAt: frame.editedAt || conv.lastMessage.editedAt };
  }
  if (conv.id === state.openId) renderMessages(conv);
  renderList();
}

async function loadLatest(conv) {
  if (conv.loading) return;
  conv.loading = true;
  try {
    const page = await api.messages(conv.id, { limit: PAGE_SIZE });
    for (const m of page.messages) addMessage(conv, m);
    conv.hasMore = page.hasMore;
    conv.loaded = true;
  } catch (e) {
    // where history is read, a conversation opened a moment ago may not be known yet: try again (left unloaded, it
    // would never be marked read)
    if (e instanceof ApiError && e.status === 403 && justHeardOf(conv)) setTimeout(() => loadLatest(conv), 700);
    else alertText(`Could not load messages: ${e.message}`);
  } finally {
    conv.loading = false;
  }
  if (conv.id === state.openId) {
    renderMessages(conv, { toBottom: true });
    markReadIfReading(conv);
  }
}

/** This page heard of the conversation a moment ago: the server's read side may not have it yet. */
function justHeardOf(conv) {
  return Date.now() - conv.createdAt < 30_000;
}

async function loadEarlier(conv) {
  if (conv.loading || !conv.hasMore) return;
  const oldest = Math.min(...conv.messages.keys());
  if (!Number.isFinite(oldest) || oldest <= 1) {
    conv.hasMore = false;
    renderMessages(conv);
    return;
  }
  conv.loading = true;
  const box = $('#messages');
  const fromBottom = box.scrollHeight - box.scrollTop;
  try {
    const page = await api.messages(conv.id, { before: oldest, limit: PAGE_SIZE });
    for (const m of page.messages) addMessage(conv, m);
    conv.hasMore = page.hasMore;
    announce(`${page.messages.length} earlier messages loaded`);
  } catch (e) {
    alertText(`Could not load earlier messages: ${e.message}`);
  } finally {
    conv.loading = false;
  }
  if (conv.id === state.openId) {
    renderMessages(conv);
    box.scrollTop = box.scrollHeight - fromBottom;
  }
}

/** Should a gap ever show in a loaded conversation, the missing part is read from history. */
async function fillGap(conv, afterSeq) {
  try {
    let cursor = afterSeq;
    for (;;) {
      const page = await api.messages(conv.id, { after: cursor, limit: 200 });
      for (const m of page.messages) addMessage(conv, m);
      if (!page.hasMore || page.messages.length === 0) break;
      cursor = page.messages[page.messages.length - 1].seq;
    }
  } catch {
    // the next sync closes it
  }
}

// ------------------------------------------------------------------------------------------------ receipts

function cursorOf(conv, userId) {
  let cursor = conv.cursors.get(userId);
  if (!cursor) {
    cursor = { delivered: 0, read: 0 };
    conv.cursors.set(userId, cursor);
  }
  return cursor;
}

function noteCursor(conv, userId, kind, upToSeq) {
  if (!userId || userId === me()) return;
  const cursor = cursorOf(conv, userId);
  if (cursor[kind] >= upToSeq) return;
  cursor[kind] = upToSeq;
  if (kind === 'read') cursor.delivered = Math.max(cursor.delivered, upToSeq);
}

/** Every member's cursors from the read model: what was read while this client was not listening. */
async function loadReceipts(conv) {
  try {
    const cursors = await api.receipts(conv.id);
    for (const c of cursors || []) {
      noteCursor(conv, c.userId, 'delivered', c.deliveredSeq || 0);
      noteCursor(conv, c.userId, 'read', c.readSeq || 0);
    }
    if (conv.id === state.openId) renderMessages(conv);
  } catch {
    // live receipts still arrive
  }
}

function onReceipt(frame) {
  const conv = state.conversations.get(frame.conversationId);
  if (!conv) return;
  if (frame.userId === me()) {
    // another device of mine
    if (frame.kind === 'read' && frame.upToSeq > conv.readSeq) {
      conv.readSeq = frame.upToSeq;
      conv.unread = countUnread(conv);
      renderList();
    }
    if (frame.kind === 'delivered') conv.deliveredSeq = Math.max(conv.deliveredSeq, frame.upToSeq);
    return;
  }
  noteCursor(conv, frame.userId, frame.kind, frame.upToSeq);
  if (conv.id === state.openId) renderMessages(conv);
}

/** As the server counts unread: someone else's message above my read cursor, not deleted. */
function isUnread(conv, message) {
  return message.seq > conv.readSeq && message.senderId !== me() && !message.deleted;
}

function countUnread(conv) {
  if (conv.readSeq >= conv.lastSeq) return 0;
  let count = 0;
  for (const m of conv.messages.values()) if (isUnread(conv, m)) count++;
  return Math.max(count, Math.min(conv.unread, conv.lastSeq - conv.readSeq));
}

/** The state of one of my messages: pending, failed, sent, delivered, read; in groups with who has read it. */
function ownStatus(conv, message) {
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

function scheduleDelivered(conv) {
  clearTimeout(conv.deliveredTimer);
  conv.deliveredTimer = setTimeout(() => {
    if (conv.lastSeq > conv.deliveredSeq && socket && socket.online) {
      conv.deliveredSeq = conv.lastSeq;
      socket.send({ type: 'delivered', id: newId('d-'), conversationId: conv.id, upToSeq: conv.lastSeq });
    }
  }, 200);
}

function isReading(conv) {
  return conv.id === state.openId && document.visibilityState === 'visible' && !isNarrowAndListShown();
}

function isNarrowAndListShown() {
  return window.matchMedia('(max-width: 720px)').matches && !document.body.classList.contains('show-conversation');
}

function markReadIfReading(conv) {
  if (!isReading(conv) || !conv.loaded) return;
  const upTo = conv.lastSeq;
  if (upTo <= conv.readSeq && conv.unread === 0) return;
  if (!socket || !socket.online) return; // done again after the next sync
  if (upTo > conv.readSeq) {
    socket.send({ type: 'read', id: newId('r-'), conversationId: conv.id, upToSeq: upTo });
  }
  conv.readSeq = Math.max(conv.readSeq, upTo);
  conv.deliveredSeq = Math.max(conv.deliveredSeq, upTo);
  conv.unread = 0;
  renderList();
}

// ------------------------------------------------------------------------------------------------ typing

function onTyping(frame) {
  if (frame.userId === me()) return;
  const conv = state.conversations.get(frame.conversationId);
  if (!conv) return;
  clearTimeout(conv.typing.get(frame.userId));
  conv.typing.set(frame.userId, setTimeout(() => clearTyping(conv, frame.userId), TYPING_SHOWN_FOR));
  ensureUser(frame.userId);
  renderTyping();
  renderList();
}

function clearTyping(conv, userId) {
  if (!conv.typing.has(userId)) return;
  clearTimeout(conv.typing.get(userId));
  conv.typing.delete(userId);
  renderTyping();
  renderList();
}

function typingText(conv) {
  const names = [...conv.typing.keys()].map(userName);
  if (names.length === 0) return '';
  if (conv.type === 'direct') return 'typing…';
  return `${nameList(names)} ${names.length === 1 ? 'is' : 'are'} typing…`;
}

function composerTyped() {
  const conv = state.conversations.get(state.openId);
  if (!conv || !socket || !socket.online) return;
  if (!$('#composer-input').value.trim()) return;
  const last = state.lastTypingSent.get(conv.id) || 0;
  if (Date.now() - last < TYPING_SEND_EVERY) return;
  state.lastTypingSent.set(conv.id, Date.now());
  socket.send({ type: 'typing', conversationId: conv.id });
}

// ------------------------------------------------------------------------------------------------ members, presence

function onMember(frame) {
  let conv = state.conversations.get(frame.conversationId);
  if (frame.userId === me()) {
    if (frame.change === 'left' || frame.change === 'removed') {
      if (conv) {
        const title = conversationTitle(conv);
        state.conversations.delete(conv.id);
        if (state.openId === conv.id) closeConversation();
        announce(frame.change === 'left' ? `You left ${title}` : `You were removed from ${title}`);
        renderList();
      }
      return;
    }
  }
  if (!conv) {
    // a group this user just joined, or a change that came before the list had the group: keep what the frame
    // says (memberChanges) so a list from a read model that lags behind does not undo it
    conv = conversation(frame.conversationId);
    conv.type = 'group';
    conv.placeholder = true;
    conv.createdAt = Date.now();
    conv.updatedAt = conv.updatedAt || new Date().toISOString();
    refreshConversations();
  }
  const existing = conv.members.find((m) => m.userId === frame.userId);
  if (frame.change === 'joined' || frame.change === 'role_changed') {
    if (existing) existing.role = frame.role || existing.role;
    else conv.members.push({ userId: frame.userId, role: frame.role || 'member' });
    conv.memberChanges.set(frame.userId, { member: conv.members.find((m) => m.userId === frame.userId), at: Date.now() });
  } else if (frame.change === 'left' || frame.change === 'removed') {
    conv.members = conv.members.filter((m) => m.userId !== frame.userId);
    conv.cursors.delete(frame.userId);
    conv.memberChanges.set(frame.userId, { member: null, at: Date.now() });
  }
  ensureUser(frame.userId).then(() => {
    const name = userName(frame.userId);
    const text = {
      joined: `${name} joined`,
      left: `${name} left`,
      removed: `${name} was removed`,
      role_changed: `${name} is now ${frame.role === 'owner' ? 'an owner' : frame.role === 'admin' ? 'an admin' : 'a member'}`,
    }[frame.change];
    if (text && !(frame.change === 'joined' && existing)) {
      conv.notes.push({ key: newId('n-'), afterSeq: conv.lastSeq, text });
      if (conv.id === state.openId) announce(text);
    }
    if (conv.id === state.openId) {
      renderMessages(conv);
      renderHeader(conv);
      renderMembers(conv);
    }
    renderList();
  });
}

/**
 * Whether a user is online and when they were last seen, or null while unknown: the one place presence is kept and
 * read from. `GET /api/users/{id}` fills it when the user first appears (ensureUser), `presence` frames keep it
 * current. The server sends those frames only to people who share a conversation with the user, and only when the
 * user connects or disconnects: someone found through search, who connected earlier, must be read once.
 */
function presenceOf(userId) {
  return state.presence.get(userId) || null;
}

function presenceFrames(userId) {
  return state.presence.get(userId)?.frames || 0;
}

function onPresence(frame) {
  state.presence.set(frame.userId, { online: frame.online,
    lastSeen: frame.lastSeen || presenceOf(frame.userId)?.lastSeen, frames: presenceFrames(frame.userId) + 1 });
  ensureUser(frame.userId);
  scheduleRender();
}

// ------------------------------------------------------------------------------------------------ conversation list

function mergeSummary(summary) {
  const conv = conversation(summary.conversationId);
  conv.type = summary.type;
  conv.name = summary.name;
  conv.members = (summary.members || []).map((m) => ({ userId: m.userId, role: String(m.role || 'member').toLowerCase() }));
  // member changes seen live in the last half minute win over a read model that may not have them yet
  for (const [userId, change] of conv.memberChanges) {
    if (Date.now() - change.at > 30_000) {
      conv.memberChanges.delete(userId);
      continue;
    }
    conv.members = conv.members.filter((m) => m.userId !== userId);
    if (change.member) conv.members.push(change.member);
  }
  conv.lastSeq = Math.max(conv.lastSeq, summary.lastSeq || 0);
  conv.readSeq = Math.max(conv.readSeq, summary.readSeq || 0);
  conv.deliveredSeq = Math.max(conv.deliveredSeq, summary.deliveredSeq || 0);
  // the read model may lag behind what the socket already brought: count those messages on top
  let newer = 0;
  for (const m of conv.messages.values()) {
    if (m.seq > (summary.lastSeq || 0) && isUnread(conv, m)) newer++;
  }
  conv.unread = isReading(conv) ? 0 : (summary.unread || 0) + newer;
  if (summary.lastMessage && (!conv.lastMessage || summary.lastMessage.seq >= conv.lastMessage.seq)) {
    conv.lastMessage = summary.lastMessage;
    noteCursor(conv, summary.lastMessage.senderId, 'read', summary.lastMessage.seq);
  }
  if (!conv.updatedAt || (summary.updatedAt && summary.updatedAt > conv.updatedAt)) conv.updatedAt = summary.updatedAt;
  conv.placeholder = false;
  for (const m of conv.members) ensureUser(m.userId);
  return conv;
}

let refreshing = null;
let refreshAgain = false;

/** Reads the conversation list; calls made while one is running are folded into one more. */
function refreshConversations() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      do {
        refreshAgain = false;
        const list = await api.conversations();
        const seen = new Set();
        for (const summary of list) seen.add(mergeSummary(summary).id);
        let missing = false;
        for (const [id, conv] of state.conversations) {
          if (seen.has(id)) continue;
          if (conv.placeholder && justHeardOf(conv)) {
            // just opened here or just heard of on the socket: the read model may not have it yet
            missing = true;
          } else {
            state.conversations.delete(id);
            if (state.openId === id) closeConversation();
          }
        }
        if (missing) setTimeout(refreshConversations, 700);
        // the list told this device about these messages: they are delivered
        for (const conv of state.conversations.values()) {
          if (conv.lastSeq > conv.deliveredSeq && conv.lastMessage && conv.lastMessage.senderId !== me()) {
            scheduleDelivered(conv);
          }
        }
      } while (refreshAgain);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) alertText(`Could not load chats: ${e.message}`);
    } finally {
      refreshing = null;
    }
    renderList();
    const open = state.conversations.get(state.openId);
    if (open) {
      renderHeader(open);
      markReadIfReading(open);
    }
  })();
  return refreshing;
}

function sortedConversations() {
  return [...state.conversations.values()].sort((a, b) => {
    const ta = a.updatedAt || '';
    const tb = b.updatedAt || '';
    return ta < tb ? 1 : ta > tb ? -1 : a.id.localeCompare(b.id);
  });
}

function lastMessagePreview(conv) {
  const typing = typingText(conv);
  if (typing) return { text: typing, typing: true };
  const m = conv.lastMessage;
  if (!m) return { text: conv.type === 'group' ? 'New group' : 'No messages yet' };
  const who = m.senderId === me() ? 'You: ' : conv.type === 'group' ? `${userName(m.senderId)}: ` : '';
  if (m.deleted) return { text: `${who}Message deleted`, deleted: true };
  return { text: who + (m.text || '') };
}

function renderList() {
  const list = $('#conversation-list');
  if (!list) return;
  const items = sortedConversations();
  $('#empty-list').hidden = items.length > 0;
  const existing = new Map([...list.children].map((li) => [li.dataset.conversationId, li]));
  let previous = null;
  for (const conv of items) {
    let li = existing.get(conv.id);
    existing.delete(conv.id);
    if (!li) {
      li = h('li', { dataset: { conversationId: conv.id } },
        h('button', { type: 'button', class: 'conv', on: { click: () => openConversation(conv.id) } }));
    }
    fillConversationItem(li.firstChild, conv);
    const expected = previous ? previous.nextSibling : list.firstChild;
    if (expected !== li) list.insertBefore(li, expected);
    previous = li;
  }
  for (const li of existing.values()) li.remove();
  document.title = totalUnread() > 0 ? `(${totalUnread()}) Parley` : 'Parley';
}

function totalUnread() {
  let total = 0;
  for (const conv of state.conversations.values()) total += conv.unread;
  return total;
}

function fillConversationItem(button, conv) {
  const title = conversationTitle(conv);
  const preview = lastMessagePreview(conv);
  const presence = conv.type === 'direct' ? presenceOf(otherMember(conv)) : null;
  const avatar = h('span', { class: 'avatar', attrs: { 'aria-hidden': 'true' } });
  fillAvatar(avatar, title, conv.type === 'direct' ? otherMember(conv) : conv.id);
  const children = [
    h('span', { class: 'avatar-wrap' }, avatar,
      presence ? h('span', { class: `presence-dot ${presence.online ? 'online' : 'offline'}`, attrs: { 'aria-hidden': 'true' } }) : null),
    h('span', { class: 'conv-main' },
      h('span', { class: 'conv-name', text: title }),
      presence ? srOnly(presence.online ? ', online' : ', offline') : null,
      h('span', { class: `conv-last${preview.typing ? ' is-typing' : ''}${preview.deleted ? ' is-deleted' : ''}`, text: preview.text })),
    h('span', { class: 'conv-side' },
      h('time', { class: 'conv-time', text: conv.lastMessage ? shortTime(conv.lastMessage.sentAt) : '',
        attrs: { datetime: conv.lastMessage ? conv.lastMessage.sentAt : null } }),
      conv.unread > 0
        ? h('span', { class: 'badge', text: conv.unread > 99 ? '99+' : String(conv.unread) },
          srOnly(conv.unread === 1 ? ' unread message' : ' unread messages'))
        : null),
  ];
  replaceChildren(button, ...children);
  button.dataset.conversationId = conv.id;
  button.classList.toggle('unread', conv.unread > 0);
  if (conv.id === state.openId) button.setAttribute('aria-current', 'true');
  else button.removeAttribute('aria-current');
}

// ------------------------------------------------------------------------------------------------ open conversation

function openConversation(id, { focus = true } = {}) {
  const conv = state.conversations.get(id);
  if (!conv) return;
  if (state.openId !== id) {
    stopEditing();
    state.openId = id;
    $('#composer-input').value = draftOf(id);
    autoGrow();
    $('#members-panel').hidden = true;
    $('#members-button').setAttribute('aria-expanded', 'false');
    clear($('#message-list'));
  }
  document.body.classList.add('show-conversation');
  $('#no-conversation').hidden = true;
  $('#conversation-pane').hidden = false;
  renderHeader(conv);
  renderMembers(conv);
  renderTyping();
  renderMessages(conv, { toBottom: true });
  renderList();
  for (const m of conv.members) ensureUser(m.userId); // opened from search, the list or a frame alike
  if (!conv.loaded) loadLatest(conv);
  else markReadIfReading(conv);
  loadReceipts(conv);
  if (focus) $('#composer-input').focus();
}

function closeConversation() {
  if (state.openId) saveDraft();
  state.openId = null;
  document.body.classList.remove('show-conversation');
  $('#conversation-pane').hidden = true;
  $('#no-conversation').hidden = false;
  renderList();
}

const drafts = new Map();

function draftOf(id) {
  return drafts.get(id) || '';
}

function saveDraft() {
  if (state.openId) drafts.set(state.openId, $('#composer-input').value);
}

function renderHeader(conv) {
  const title = conversationTitle(conv);
  $('#conversation-title').textContent = title;
  fillAvatar($('#conversation-avatar'), title, conv.type === 'direct' ? otherMember(conv) : conv.id);
  $('#conversation-avatar').setAttribute('aria-hidden', 'true');
  let subtitle;
  const away = state.socketState === 'offline' || state.socketState === 'reconnecting';
  // presence is only known while connected
  const presence = conv.type === 'direct' && !away ? presenceOf(otherMember(conv)) : null;
  if (conv.type === 'direct') {
    subtitle = presenceText(presence);
  } else {
    const names = conv.members.map((m) => userName(m.userId));
    subtitle = `${conv.members.length} member${conv.members.length === 1 ? '' : 's'}: ${names.join(', ')}`;
  }
  const el = $('#conversation-subtitle');
  el.textContent = subtitle;
  el.dataset.online = presence?.online ? 'true' : 'false';
  $('#members-button').hidden = conv.type !== 'group';
}

function renderTyping() {
  const conv = state.conversations.get(state.openId);
  const text = conv ? typingText(conv) : '';
  const el = $('#typing');
  const full = conv && conv.type === 'direct' && text ? `${conversationTitle(conv)} is typing…` : text;
  if (el.textContent !== full) el.textContent = full;
}

function myRole(conv) {
  const mine = conv.members.find((m) => m.userId === me());
  return mine ? mine.role : null;
}

function renderMembers(conv) {
  if (conv.type !== 'group') return;
  const canManage = ['owner', 'admin'].includes(myRole(conv));
  const list = $('#member-list');
  replaceChildren(list, ...conv.members.map((m) => {
    const name = userName(m.userId);
    const user = state.users.get(m.userId);
    return h('li', { class: 'member' },
      h('span', { class: 'member-name', text: m.userId === me() ? `${name} (you)` : name }),
      user && user.username ? h('span', { class: 'member-username', text: `@${user.username}` }) : null,
      m.role !== 'member' ? h('span', { class: 'role', text: m.role }) : null,
      canManage && m.userId !== me()
        ? h('button', { type: 'button', class: 'link-button danger-text', text: 'Remove',
          attrs: { 'aria-label': `Remove ${name} from the group` },
          on: { click: () => removeMember(conv, m.userId) } })
        : null);
  }));
  $('#add-member-form').hidden = !canManage;
}

async function removeMember(conv, userId) {
  const name = userName(userId);
  if (!window.confirm(`Remove ${name} from ${conversationTitle(conv)}?`)) return;
  try {
    await api.removeMember(conv.id, userId);
    announce(`${name} removed`);
  } catch (e) {
    alertText(e.status === 403 ? 'Only owners and admins can remove members.' : `Could not remove: ${e.message}`);
  }
}

async function leaveGroup() {
  const conv = state.conversations.get(state.openId);
  if (!conv || !window.confirm(`Leave ${conversationTitle(conv)}?`)) return;
  try {
    await api.removeMember(conv.id, me());
  } catch (e) {
    alertText(`Could not leave: ${e.message}`);
  }
}

// ------------------------------------------------------------------------------------------------ message rendering

let editing = null; // {conversationId, seq}

function timelineOf(conv) {
  const entries = [];
  for (const m of conv.messages.values()) entries.push({ key: `s:${m.seq}`, order: [m.seq, 0, 0], message: m });
  conv.notes.forEach((n, i) => entries.push({ key: n.key, order: [n.afterSeq, 1, i], note: n }));
  state.outbox.filter((e) => e.conversationId === conv.id).forEach((e, i) =>
    entries.push({ key: `p:${e.id}`, order: [Number.MAX_SAFE_INTEGER, 2, i], pending: e }));
  entries.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || a.order[2] - b.order[2]);
  return entries;
}

function renderMessages(conv, { toBottom = false } = {}) {
  if (conv.id !== state.openId) return;
  const box = $('#messages');
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const list = $('#message-list');
  const existing = new Map([...list.children].map((li) => [li.dataset.key, li]));
  const entries = timelineOf(conv);
  const lastOwnSeq = Math.max(0, ...[...conv.messages.values()].filter((m) => m.senderId === me()).map((m) => m.seq));
  let previous = null;
  let previousSender = null;
  for (const entry of entries) {
    let li = existing.get(entry.key);
    existing.delete(entry.key);
    const sender = entry.message ? entry.message.senderId : entry.pending ? me() : null;
    const continued = sender && sender === previousSender;
    if (!li) li = h('li', { dataset: { key: entry.key } });
    if (entry.note) fillNote(li, entry.note);
    else if (entry.pending) fillPending(li, conv, entry.pending, continued);
    else fillMessage(li, conv, entry.message, continued, entry.message.seq === lastOwnSeq);
    previousSender = sender;
    const expected = previous ? previous.nextSibling : list.firstChild;
    if (expected !== li) list.insertBefore(li, expected);
    previous = li;
  }
  for (const li of existing.values()) li.remove();
  const loadEarlierButton = $('#load-earlier');
  loadEarlierButton.hidden = !conv.hasMore;
  loadEarlierButton.disabled = conv.loading;
  $('#history-start').hidden = !conv.loaded || conv.hasMore || conv.messages.size === 0;
  if (toBottom || nearBottom) box.scrollTop = box.scrollHeight;
}

function fillNote(li, note) {
  if (li.dataset.filled === 'note') return;
  li.className = 'note';
  li.dataset.filled = 'note';
  replaceChildren(li, h('span', { text: note.text }));
}

/** Rebuilds an item only when what it shows changed, so focus on its buttons survives live updates. */
function fillMessage(li, conv, m, continued, isLastOwn) {
  const mine = m.senderId === me();
  const status = mine ? ownStatus(conv, m) : null;
  const showSender = conv.type === 'group' && !mine && !continued;
  const isEditing = editing && editing.conversationId === conv.id && editing.seq === m.seq;
  const signature = JSON.stringify([m.text, m.deleted, m.editedAt, m.sentAt, status && status.label, showSender,
    userName(m.senderId), continued, isEditing, isLastOwn && conv.type === 'group']);
  li.dataset.seq = String(m.seq);
  li.dataset.sender = mine ? 'me' : 'other';
  if (status) li.dataset.state = status.state;
  else delete li.dataset.state;
  if (li.dataset.signature === signature) return;
  li.dataset.signature = signature;
  li.dataset.filled = 'message';
  li.className = `msg ${mine ? 'mine' : 'theirs'}${continued ? ' continued' : ''}${m.deleted ? ' deleted' : ''}`;
  // a tap on one's own message focuses it (no extra tab stop), which shows its Edit and Delete buttons
  if (mine && !m.deleted) li.tabIndex = -1;
  else li.removeAttribute('tabindex');

  const who = mine ? 'You' : userName(m.senderId);
  const bubble = h('div', { class: 'bubble' });
  if (showSender) bubble.append(h('span', { class: `sender ${colourClass(m.senderId)}`, text: who }));
  else bubble.append(srOnly(`${who}: `));

  if (isEditing) {
    bubble.append(editor(conv, m));
  } else if (m.deleted) {
    bubble.append(h('p', { class: 'text deleted-text', text: 'This message was deleted' }));
  } else {
    bubble.append(h('p', { class: 'text', text: m.text || '' }));
  }
  const meta = h('span', { class: 'meta' },
    m.editedAt && !m.deleted ? h('span', { class: 'edited', text: 'edited' }) : null,
    h('time', { attrs: { datetime: m.sentAt, title: fullTime(m.sentAt) }, text: clockTime(m.sentAt) }));
  if (status) {
    meta.append(h('span', { class: 'status', dataset: { state: status.state }, attrs: { title: status.label } },
      icon(status.state === 'sent' ? 'sent' : status.state), srOnly(status.label)));
  }
  bubble.append(meta);
  li.replaceChildren(bubble);
  if (mine && !m.deleted && !isEditing) {
    li.append(h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'link-button', text: 'Edit',
        attrs: { 'aria-label': `Edit your message “${truncate(m.text, 40)}”` }, on: { click: () => startEditing(conv, m) } }),
      h('button', { type: 'button', class: 'link-button danger-text', text: 'Delete',
        attrs: { 'aria-label': `Delete your message “${truncate(m.text, 40)}”` }, on: { click: () => deleteMessage(conv, m) } })));
  }
  if (mine && isLastOwn && conv.type === 'group' && status.readers.length > 0) {
    li.append(h('p', { class: 'seen-by', attrs: { 'aria-hidden': 'true' },
      text: status.state === 'read' ? 'Seen by everyone' : `Seen by ${nameList(status.readers.map(userName))}` }));
  }
}

function fillPending(li, conv, entry, continued) {
  const signature = JSON.stringify(['pending', entry.text, entry.failed, entry.error, continued]);
  li.dataset.pending = entry.id;
  li.dataset.sender = 'me';
  li.dataset.state = entry.failed ? 'failed' : 'pending';
  if (li.dataset.signature === signature) return;
  li.dataset.signature = signature;
  li.className = `msg mine pending${continued ? ' continued' : ''}${entry.failed ? ' failed' : ''}`;
  const label = entry.failed ? `Not sent: ${entry.error}` : 'Sending…';
  const bubble = h('div', { class: 'bubble' },
    srOnly('You: '),
    h('p', { class: 'text', text: entry.text }),
    h('span', { class: 'meta' },
      h('time', { attrs: { datetime: entry.createdAt }, text: clockTime(entry.createdAt) }),
      h('span', { class: 'status', dataset: { state: entry.failed ? 'failed' : 'pending' }, attrs: { title: label } },
        icon(entry.failed ? 'failed' : 'pending'), srOnly(label))));
  li.replaceChildren(bubble);
  if (entry.failed) {
    li.append(h('div', { class: 'actions visible' },
      h('span', { class: 'error-text', text: entry.error || 'Not sent' }),
      h('button', { type: 'button', class: 'link-button', text: 'Retry', on: { click: () => retry(entry) } }),
      h('button', { type: 'button', class: 'link-button danger-text', text: 'Discard', on: { click: () => discard(entry) } })));
  }
}

function truncate(text, n) {
  if (!text) return '';
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

function retry(entry) {
  entry.failed = false;
  entry.error = null;
  saveOutbox();
  flushOutbox();
  const conv = state.conversations.get(entry.conversationId);
  if (conv) renderMessages(conv);
}

function discard(entry) {
  state.outbox = state.outbox.filter((e) => e !== entry);
  saveOutbox();
  const conv = state.conversations.get(entry.conversationId);
  if (conv) renderMessages(conv);
  $('#composer-input').focus();
}

function editor(conv, m) {
  const field = h('textarea', { class: 'edit-field', value: m.text || '', rows: 2, maxLength: 4000,
    attrs: { 'aria-label': 'Edit message. Enter saves, Escape cancels.' } });
  const save = () => {
    const text = field.value.trim();
    if (!text || text === m.text) {
      stopEditing(true);
      return;
    }
    if (!socket || !socket.online) {
      alertText('You are offline: the edit cannot be saved now.');
      return;
    }
    const id = newId('e-');
    state.pendingOps.set(id, 'edit');
    socket.send({ type: 'edit', id, conversationId: conv.id, seq: m.seq, text });
    stopEditing(true);
  };
  field.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      stopEditing(true);
    }
  });
  setTimeout(() => {
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
  }, 0);
  return h('div', { class: 'editor' }, field,
    h('div', { class: 'editor-actions' },
      h('button', { type: 'button', class: 'link-button', text: 'Cancel', on: { click: () => stopEditing(true) } }),
      h('button', { type: 'button', class: 'link-button', text: 'Save', on: { click: save } })));
}

function startEditing(conv, m) {
  editing = { conversationId: conv.id, seq: m.seq };
  renderMessages(conv);
}

function stopEditing(refocus = false) {
  if (!editing) return;
  const conv = state.conversations.get(editing.conversationId);
  editing = null;
  if (conv) renderMessages(conv);
  if (refocus) $('#composer-input').focus();
}

function deleteMessage(conv, m) {
  if (!window.confirm('Delete this message for everyone?')) return;
  if (!socket || !socket.online) {
    alertText('You are offline: the message cannot be deleted now.');
    return;
  }
  const id = newId('x-');
  state.pendingOps.set(id, 'delete');
  socket.send({ type: 'delete', id, conversationId: conv.id, seq: m.seq });
  $('#composer-input').focus();
}

// ------------------------------------------------------------------------------------------------ announcements

function announce(text) {
  const region = $('#announcer');
  const line = h('p', { text });
  region.append(line);
  setTimeout(() => line.remove(), 15_000);
}

function alertText(text) {
  const region = $('#alert');
  region.textContent = '';
  setTimeout(() => {
    region.textContent = text;
  }, 50);
  showToast(text);
}

let toastTimer = null;

function showToast(text) {
  let toast = $('#toast');
  if (!toast) {
    toast = h('div', { id: 'toast', class: 'toast', attrs: { 'aria-hidden': 'true' } });
    document.body.append(toast);
  }
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toast.hidden = true;
  }, 5_000);
}

function announceMessage(conv, m) {
  const who = userName(m.senderId);
  const where = conv.id === state.openId ? '' : conv.type === 'group' ? ` in ${conversationTitle(conv)}` : '';
  announce(`${who}${where}: ${m.deleted ? 'message deleted' : m.text}`);
}

// ------------------------------------------------------------------------------------------------ socket

/**
 * The socket's address with a one-time ticket fetched just now (valid for a few seconds, good for one handshake):
 * the session token itself never goes into a URL, where proxies and load balancers would log it.
 */
async function socketUrl() {
  const { ticket } = await api.socketTicket(); // a 401 here ends the session (see Api)
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?resume=true&ticket=${encodeURIComponent(ticket)}`;
}

/** The position to resume each conversation from: the highest seq this client has accounted for. */
function syncPositions() {
  const since = {};
  for (const conv of state.conversations.values()) since[conv.id] = conv.lastSeq;
  return since;
}

function onSocketOpen() {
  state.syncId = newId('sync-');
  socket.send({ type: 'sync', id: state.syncId, since: syncPositions() });
}

function onFrame(frame) {
  switch (frame.type) {
    case 'message': {
      const known = state.conversations.has(frame.conversationId);
      const { type, ...message } = frame;
      const conv = conversation(frame.conversationId);
      if (!known) {
        // a conversation someone else started: its details come with the next list
        conv.placeholder = true;
        conv.createdAt = Date.now();
        ensureUser(frame.senderId);
        if (!conv.members.length) conv.members = [{ userId: me(), role: 'member' }, { userId: frame.senderId, role: 'member' }];
      }
      addMessage(conv, message, { live: true });
      if (!known) refreshConversations();
      break;
    }
    case 'ack':
      onAck(frame);
      break;
    case 'message_updated':
      onMessageUpdated(frame);
      break;
    case 'receipt':
      onReceipt(frame);
      break;
    case 'presence':
      onPresence(frame);
      break;
    case 'typing':
      onTyping(frame);
      break;
    case 'member':
      onMember(frame);
      break;
    case 'synced':
      if (frame.id === state.syncId) afterSync();
      break;
    case 'ok':
      state.pendingOps.delete(frame.id);
      break;
    case 'error':
      onErrorFrame(frame);
      break;
    default:
      break; // pong and frames this client does not know
  }
}

function onErrorFrame(frame) {
  const entry = state.outbox.find((e) => e.id === frame.id);
  if (entry) {
    onSendError(entry, frame);
    return;
  }
  if (frame.id && frame.id === state.syncId) {
    // the server asks for the sync to be sent again
    setTimeout(() => socket && socket.restart(), 1_000);
    return;
  }
  const op = state.pendingOps.get(frame.id);
  if (op) {
    state.pendingOps.delete(frame.id);
    alertText(`Could not ${op} the message: ${frame.message || frame.code}`);
  }
}

function afterSync() {
  socket.synced();
  flushOutbox();
  // names, members and conversations that changed while away; presence missed while away
  refreshConversations().then(() => {
    for (const userId of contacts()) ensureUser(userId, { refresh: true });
  });
  const open = state.conversations.get(state.openId);
  if (open) {
    markReadIfReading(open);
    loadReceipts(open);
  }
  for (const conv of state.conversations.values()) {
    if (conv.lastSeq > conv.deliveredSeq) scheduleDelivered(conv);
  }
}

function contacts() {
  const ids = new Set();
  for (const conv of state.conversations.values()) for (const m of conv.members) if (m.userId !== me()) ids.add(m.userId);
  return ids;
}

let bannerTimer = null;

function onSocketState(socketState, detail) {
  state.socketState = socketState;
  const status = $('#connection-status');
  const banner = $('#connection-banner');
  const texts = {
    connecting: 'Connecting…',
    syncing: 'Catching up…',
    online: 'Online',
    reconnecting: 'Reconnecting…',
    offline: 'Offline',
    stopped: '',
  };
  status.textContent = texts[socketState] || '';
  status.dataset.state = socketState;
  document.body.dataset.connection = socketState;
  clearInterval(bannerTimer);
  const pending = () => state.outbox.filter((e) => !e.failed).length;
  const outboxNote = () => (pending() > 0 ? ` ${pending()} message${pending() === 1 ? '' : 's'} will be sent when you are back.` : '');
  if (socketState === 'offline') {
    banner.hidden = false;
    banner.dataset.state = 'offline';
    banner.textContent = `You are offline. Messages you write are kept and sent when the connection is back.${outboxNote()}`;
  } else if (socketState === 'reconnecting') {
    banner.hidden = false;
    banner.dataset.state = 'reconnecting';
    const update = () => {
      const seconds = detail.retryAt ? Math.max(0, Math.ceil((detail.retryAt - Date.now()) / 1000)) : 0;
      banner.textContent = seconds > 0 ? `Reconnecting in ${seconds} s…${outboxNote()}` : `Reconnecting…${outboxNote()}`;
    };
    update();
    if (detail.retryAt) bannerTimer = setInterval(update, 1000);
  } else {
    banner.hidden = true;
    banner.textContent = '';
  }
  const open = state.conversations.get(state.openId);
  if (open) renderHeader(open);
  if (socketState === 'online' && state.wasAway) announce('Back online');
  if (socketState === 'offline' || socketState === 'reconnecting') {
    if (!state.wasAway) announce(socketState === 'offline' ? 'You are offline' : 'Connection lost, reconnecting');
    state.wasAway = true;
  } else if (socketState === 'online') {
    state.wasAway = false;
  }
}

/** The socket never opened: if the token is no longer accepted, sign out. */
async function onFailedOpen() {
  if (!navigator.onLine || !state.session) return;
  if (state.session.expiresAt && Date.parse(state.session.expiresAt) <= Date.now()) {
    sessionExpired();
    return;
  }
  try {
    await api.conversations(); // a 401 here calls sessionExpired()
  } catch {
    // the server is unreachable: keep retrying
  }
}

// ------------------------------------------------------------------------------------------------ user search

/**
 * Wires a search box to `GET /api/users?query=`: results are buttons (reachable with Tab, or ArrowDown from the box);
 * choosing one calls `onPick(user)`. `exclude()` answers ids not to offer.
 */
function userSearch(input, results, onPick, exclude = () => new Set()) {
  let timer = null;
  let generation = 0;
  const hide = () => {
    results.hidden = true;
    clear(results);
    input.setAttribute('aria-expanded', 'false');
  };
  const run = async () => {
    const query = input.value.trim().replace(/^@/, '');
    const mine = ++generation;
    if (!query) {
      hide();
      return;
    }
    try {
      const page = await api.searchUsers(query, 8);
      if (mine !== generation) return;
      const skip = exclude();
      const users = page.users.filter((u) => u.userId !== me() && !skip.has(u.userId));
      for (const u of users) state.users.set(u.userId, { ...state.users.get(u.userId), ...u });
      replaceChildren(results, ...(users.length === 0
        ? [h('li', { class: 'no-results', text: `No one found for “${query}”` })]
        : users.map((u) => h('li', {},
          h('button', { type: 'button', class: 'person', dataset: { userId: u.userId, username: u.username },
            on: {
              click: () => {
                hide();
                input.value = '';
                onPick(u);
              },
              keydown: (event) => moveWithin(event, results, input),
            } },
          (() => {
            const a = h('span', { class: 'avatar small', attrs: { 'aria-hidden': 'true' } });
            fillAvatar(a, u.displayName || u.username, u.userId);
            return a;
          })(),
          h('span', { class: 'person-name', text: u.displayName || u.username }),
          h('span', { class: 'person-username', text: `@${u.username}` }))))));
      results.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      announce(users.length === 0 ? 'No one found' : `${users.length} ${users.length === 1 ? 'person' : 'people'} found`);
    } catch (e) {
      if (mine === generation) alertText(`Search failed: ${e.message}`);
    }
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      const first = results.querySelector('button');
      if (first) {
        event.preventDefault();
        first.focus();
      }
    } else if (event.key === 'Escape' && !results.hidden) {
      event.preventDefault();
      event.stopPropagation();
      input.value = '';
      hide();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      clearTimeout(timer);
      const first = results.querySelector('button');
      if (first && !results.hidden) first.click();
      else run();
    }
  });
  input.form?.addEventListener('submit', (event) => event.preventDefault());
  return { hide };
}

function moveWithin(event, results, input) {
  const buttons = [...results.querySelectorAll('button')];
  const index = buttons.indexOf(event.currentTarget);
  if (event.key === 'ArrowDown' && index < buttons.length - 1) {
    event.preventDefault();
    buttons[index + 1].focus();
  } else if (event.key === 'ArrowUp') {
    event.preventDefault();
    (index > 0 ? buttons[index - 1] : input).focus();
  } else if (event.key === 'Escape') {
    event.preventDefault();
    input.focus();
  }
}

async function startDirect(user) {
  try {
    const { conversationId } = await api.openDirect(user.userId);
    const conv = conversation(conversationId);
    if (conv.members.length === 0) {
      conv.type = 'direct';
      conv.members = [{ userId: me(), role: 'member' }, { userId: user.userId, role: 'member' }];
      conv.placeholder = true;
      conv.createdAt = Date.now();
      conv.updatedAt = new Date().toISOString();
    }
    openConversation(conversationId);
    refreshConversations();
  } catch (e) {
    alertText(`Could not open the chat: ${e.message}`);
  }
}

// ------------------------------------------------------------------------------------------------ groups

const groupChoice = new Map();

function openGroupDialog() {
  groupChoice.clear();
  $('#group-name').value = '';
  $('#group-error').textContent = '';
  renderGroupChoice();
  $('#group-dialog').showModal();
  $('#group-name').focus();
}

function renderGroupChoice() {
  replaceChildren($('#group-chosen'), ...[...groupChoice.values()].map((u) =>
    h('li', { class: 'chip' },
      h('span', { text: u.displayName || u.username }),
      h('button', { type: 'button', class: 'chip-remove', text: '×',
        attrs: { 'aria-label': `Remove ${u.displayName || u.username}` },
        on: { click: () => { groupChoice.delete(u.userId); renderGroupChoice(); $('#group-member-search').focus(); } } }))));
}

async function createGroup(event) {
  event.preventDefault();
  const name = $('#group-name').value.trim();
  if (!name) {
    $('#group-error').textContent = 'Give the group a name.';
    $('#group-name').focus();
    return;
  }
  try {
    const members = [...groupChoice.keys()];
    const { conversationId } = await api.createGroup(name, members);
    const conv = conversation(conversationId);
    if (conv.members.length === 0) {
      conv.type = 'group';
      conv.name = name;
      conv.members = [{ userId: me(), role: 'owner' }, ...members.map((userId) => ({ userId, role: 'member' }))];
      conv.placeholder = true;
      conv.createdAt = Date.now();
      conv.updatedAt = new Date().toISOString();
    }
    $('#group-dialog').close();
    openConversation(conversationId);
    refreshConversations();
  } catch (e) {
    $('#group-error').textContent = e.message;
  }
}

async function addMember(user) {
  const conv = state.conversations.get(state.openId);
  if (!conv) return;
  try {
    await api.addMember(conv.id, user.userId);
    announce(`${user.displayName || user.username} added`);
  } catch (e) {
    alertText(e.status === 403 ? 'Only owners and admins can add members.' : `Could not add: ${e.message}`);
  }
  $('#add-member-search').focus();
}

// ------------------------------------------------------------------------------------------------ composer

function autoGrow() {
  const input = $('#composer-input');
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}

function submitComposer(event) {
  event.preventDefault();
  const conv = state.conversations.get(state.openId);
  const input = $('#composer-input');
  const text = input.value.trim();
  if (!conv || !text) return;
  input.value = '';
  drafts.delete(conv.id);
  state.lastTypingSent.delete(conv.id); // the next words start a new "typing…"
  clearTyping(conv, me());
  autoGrow();
  sendMessage(conv, text);
  input.focus();
}

// ------------------------------------------------------------------------------------------------ auth views

function showAuth(message) {
  $('#loading').hidden = true;
  $('#chat-view').hidden = true;
  $('#auth-view').hidden = false;
  if (message) $('#login-error').textContent = message;
  selectTab('login', false);
  $('#login-username').focus();
}

function selectTab(which, focus = true) {
  for (const name of ['login', 'register']) {
    const tab = $(`#tab-${name}`);
    const selected = name === which;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`#${name}-form`).hidden = !selected;
  }
  if (focus) $(`#tab-${which}`).focus();
}

async function submitLogin(event) {
  event.preventDefault();
  const error = $('#login-error');
  error.textContent = '';
  const username = $('#login-username').value.trim();
  const password = $('#login-password').value;
  if (!username || !password) {
    error.textContent = 'Enter your username and password.';
    return;
  }
  try {
    await logIn(username, password);
  } catch (e) {
    error.textContent = e.status === 401 ? 'Wrong username or password.' : e.message;
  }
}

async function submitRegister(event) {
  event.preventDefault();
  const error = $('#register-error');
  error.textContent = '';
  const username = $('#register-username').value.trim();
  const displayName = $('#register-display-name').value.trim();
  const password = $('#register-password').value;
  if (!/^[A-Za-z0-9_.-]{3,32}$/.test(username)) {
    error.textContent = 'The username needs 3 to 32 letters, digits, “_”, “.” or “-”.';
    $('#register-username').focus();
    return;
  }
  if (!displayName) {
    error.textContent = 'Enter your name.';
    $('#register-display-name').focus();
    return;
  }
  if (password.length < 8) {
    error.textContent = 'The password needs at least 8 characters.';
    $('#register-password').focus();
    return;
  }
  try {
    await api.register(username, password, displayName);
    await logIn(username, password);
  } catch (e) {
    error.textContent = e.status === 409 ? 'That username is taken.' : e.message;
  }
}

async function logIn(username, password) {
  const session = await api.login(username, password);
  state.session = { token: session.token, userId: session.userId, username: username.toLowerCase(),
    expiresAt: session.expiresAt };
  saveSession(state.session);
  $('#login-password').value = '';
  $('#register-password').value = '';
  startChat();
}

function logOut() {
  const unsent = state.outbox.length;
  if (unsent > 0 && !window.confirm(`${unsent} message${unsent === 1 ? ' has' : 's have'} not been sent yet. Log out anyway?`)) {
    return;
  }
  const { userId, token } = state.session;
  endSession();
  showAuth();
  // the server ends the session too, so the token is of no use to anyone who finds it; best effort
  api.logout(userId, token).catch(() => {});
}

function sessionExpired() {
  if (!state.session) return;
  endSession();
  showAuth('Your session has ended. Please log in again.');
}

function endSession() {
  if (socket) socket.stop();
  socket = null;
  if (state.session) sessionStorage.removeItem(`${OUTBOX_KEY}.${state.session.userId}`);
  sessionStorage.removeItem(SESSION_KEY);
  state.session = null;
  state.users.clear();
  state.presence.clear();
  state.conversations.clear();
  state.outbox = [];
  state.openId = null;
  drafts.clear();
  clear($('#conversation-list'));
  clear($('#message-list'));
  document.body.classList.remove('show-conversation');
  $('#conversation-pane').hidden = true;
  $('#no-conversation').hidden = false;
  document.title = 'Parley';
}

async function startChat() {
  $('#loading').hidden = true;
  $('#auth-view').hidden = true;
  $('#chat-view').hidden = false;
  $('#me-name').textContent = state.session.username;
  fillAvatar($('#me-avatar'), state.session.username, state.session.userId);
  loadOutbox();
  ensureUser(me()).then((user) => {
    if (user) {
      $('#me-name').textContent = user.displayName || user.username;
      fillAvatar($('#me-avatar'), user.displayName || user.username, user.userId);
    }
  });
  // conversations with unsent messages must be known before the first sync
  for (const entry of state.outbox) conversation(entry.conversationId);
  await refreshConversations();
  if (!state.session) return;
  socket = new ChatSocket({
    url: socketUrl,
    onOpen: onSocketOpen,
    onFrame,
    onState: onSocketState,
    onFailedOpen,
    onSessionEnded: sessionExpired,
  });
  socket.start();
  $('#user-search').focus();
}

// ------------------------------------------------------------------------------------------------ rendering batch

let renderQueued = false;

/** Coalesces re-renders caused by profile and presence answers. */
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderList();
    const conv = state.conversations.get(state.openId);
    if (conv) {
      renderHeader(conv);
      renderMembers(conv);
      renderMessages(conv);
      renderTyping();
    }
  });
}

// ------------------------------------------------------------------------------------------------ wiring

function wire() {
  $('#tab-login').addEventListener('click', () => selectTab('login'));
  $('#tab-register').addEventListener('click', () => selectTab('register'));
  for (const id of ['#tab-login', '#tab-register']) {
    $(id).addEventListener('keydown', (event) => {
      if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) {
        event.preventDefault();
        selectTab(id === '#tab-login' ? 'register' : 'login');
      }
    });
  }
  $('#login-form').addEventListener('submit', submitLogin);
  $('#register-form').addEventListener('submit', submitRegister);
  $('#logout').addEventListener('click', logOut);

  userSearch($('#user-search'), $('#search-results'), startDirect);
  userSearch($('#add-member-search'), $('#add-member-results'), addMember, () => {
    const conv = state.conversations.get(state.openId);
    return new Set(conv ? conv.members.map((m) => m.userId) : []);
  });
  userSearch($('#group-member-search'), $('#group-member-results'), (user) => {
    groupChoice.set(user.userId, user);
    renderGroupChoice();
    $('#group-member-search').focus();
  }, () => new Set(groupChoice.keys()));

  $('#new-group').addEventListener('click', openGroupDialog);
  $('#group-form').addEventListener('submit', createGroup);
  $('#group-cancel').addEventListener('click', () => $('#group-dialog').close());

  $('#members-button').addEventListener('click', () => {
    const panel = $('#members-panel');
    panel.hidden = !panel.hidden;
    $('#members-button').setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) {
      const conv = state.conversations.get(state.openId);
      if (conv) renderMembers(conv);
      (conv && ['owner', 'admin'].includes(myRole(conv)) ? $('#add-member-search') : $('#leave-group')).focus();
    }
  });
  $('#leave-group').addEventListener('click', leaveGroup);
  $('#back').addEventListener('click', () => {
    const id = state.openId;
    closeConversation();
    const item = document.querySelector(`.conv[data-conversation-id="${CSS.escape(id || '')}"]`);
    if (item) item.focus();
  });

  const input = $('#composer-input');
  $('#composer').addEventListener('submit', submitComposer);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $('#composer').requestSubmit();
    }
  });
  input.addEventListener('input', () => {
    autoGrow();
    composerTyped();
    saveDraft();
  });

  $('#load-earlier').addEventListener('click', () => {
    const conv = state.conversations.get(state.openId);
    if (conv) loadEarlier(conv);
  });
  $('#messages').addEventListener('scroll', () => {
    const conv = state.conversations.get(state.openId);
    if (conv && conv.hasMore && !conv.loading && $('#messages').scrollTop < 60) loadEarlier(conv);
  }, { passive: true });

  document.addEventListener('visibilitychange', () => {
    const conv = state.conversations.get(state.openId);
    if (conv) markReadIfReading(conv);
  });
  document.addEventListener('keydown', (event) => {
    // Escape leaves a conversation on a phone-sized screen
    if (event.key === 'Escape' && state.openId && !editing && !$('#group-dialog').open
      && document.body.classList.contains('show-conversation') && window.matchMedia('(max-width: 720px)').matches) {
      $('#back').click();
    }
  });
  // Refresh "last seen" texts now and then.
  setInterval(() => {
    const conv = state.conversations.get(state.openId);
    if (conv) renderHeader(conv);
  }, 30_000);
}

function boot() {
  wire();
  const session = loadSession();
  if (session) {
    state.session = session;
    startChat();
  } else {
    sessionStorage.removeItem(SESSION_KEY);
    showAuth();
  }
}

boot();
