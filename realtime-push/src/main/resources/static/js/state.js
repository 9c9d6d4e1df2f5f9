// The state every part of the client shares: the session, what is known of users and their presence, the
// conversations, the outbox, the socket; and `ui`, through which a module calls a view of a module above it.

import { Api } from './api.js';

// ------------------------------------------------------------------------------------------------ state

export const state = {
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

// The modules import one another in one direction only (their order is in app.js). A module that must redraw or
// navigate with a function of a module above it calls it through `ui`, which app.js fills in before anything runs;
// the calls are plain synchronous calls, so a redraw still happens at the very point of the change.
export const ui = {
  renderList: null, // conversation-list.js
  renderMessages: null, // timeline.js
  renderHeader: null, // open-conversation.js
  openConversation: null, // open-conversation.js
  closeConversation: null, // open-conversation.js
  scheduleRender: null, // open-conversation.js
  sessionExpired: null, // auth.js
};

export const api = new Api(() => state.session && state.session.token, () => ui.sessionExpired());

/** The one socket while signed in (connection.js opens and closes it), null otherwise. */
export let socket = null;

export function setSocket(value) {
  socket = value;
}

export function me() {
  return state.session && state.session.userId;
}

export function newId(prefix = '') {
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

export function conversation(id) {
  let conv = state.conversations.get(id);
  if (!conv) {
    conv = newConversation(id);
    state.conversations.set(id, conv);
  }
  return conv;
}

/** This page heard of the conversation a moment ago: the server's read side may not have it yet. */
export function justHeardOf(conv) {
  return Date.now() - conv.createdAt < 30_000;
}

// ------------------------------------------------------------------------------------------------ presence

/**
 * Whether a user is online and when they were last seen, or null while unknown: the one place presence is kept and
 * read from. `GET /api/users/{id}` fills it when the user first appears (ensureUser), `presence` frames keep it
 * current. The server sends those frames only to people who share a conversation with the user, and only when the
 * user connects or disconnects: someone found through search, who connected earlier, must be read once.
 */
export function presenceOf(userId) {
  return state.presence.get(userId) || null;
}

export function presenceFrames(userId) {
  return state.presence.get(userId)?.frames || 0;
}
