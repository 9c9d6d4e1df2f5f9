// The connection: the socket's address, the sync that resumes after every (re)connect, the frames it brings, and
// what the page shows of its state.

import { onReaction } from './chat-features.js';
import { ChatSocket } from './socket.js';
import { api, conversation, me, newId, setSocket, socket, state, ui } from './state.js';
import { ensureUser, onPresence, onPresenceBatch } from './users.js';
import {
  loadReceipts, markReadIfReading, onReceipt, onReceiptConfirmed, onReceiptRefused, scheduleDelivered,
} from './receipts.js';
import { flushOutbox, onSendError, retryDelay } from './outbox.js';
import { onTyping } from './typing.js';
import { refreshConversations } from './conversation-list.js';
import { addMessage, onAck, onMessageUpdated } from './timeline.js';
import { onMember } from './members.js';
import { renderHeader } from './open-conversation.js';
import { alertText, announce } from './announce.js';
import { $ } from './dom.js';

/** Opens the socket (after signing in); it reconnects by itself until disconnect(). */
export function connect() {
  setSocket(new ChatSocket({
    url: socketUrl,
    onOpen: onSocketOpen,
    onFrame,
    onState: onSocketState,
    onFailedOpen,
    onSessionEnded: () => ui.sessionExpired(),
  }));
  socket.start();
}

export function disconnect() {
  if (socket) socket.stop();
  setSocket(null);
}

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
  const reactionsSince = {};
  for (const conv of state.conversations.values()) reactionsSince[conv.id] = conv.reactionVersion || 0;
  socket.send({ type: 'sync', id: state.syncId, since: syncPositions(), reactionsSince });
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
    case 'reaction':
      onReaction(frame);
      break;
    case 'receipt':
      onReceipt(frame);
      break;
    case 'presence':
      onPresence(frame);
      break;
    case 'presence_batch':
      onPresenceBatch(frame);
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
      onReceiptConfirmed(frame.id);
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
    // the server asks for the sync to be sent again (UNAVAILABLE, with a retryAfter hint): back off while it goes on.
    // FORBIDDEN: the sync named a conversation this user is no longer in (removed while away); the list drops it.
    state.syncRetries = (state.syncRetries || 0) + 1;
    const retry = () => setTimeout(() => socket && socket.restart(), retryDelay(frame, state.syncRetries - 1, 1_000));
    if (frame.code === 'FORBIDDEN') refreshConversations().then(retry, retry);
    else retry();
    return;
  }
  if (onReceiptRefused(frame)) return;
  const op = state.pendingOps.get(frame.id);
  if (op) {
    state.pendingOps.delete(frame.id);
    alertText(`Could not ${op} the message: ${frame.message || frame.code}`);
  }
}

function afterSync() {
  state.syncRetries = 0;
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
    ui.sessionExpired();
    return;
  }
  try {
    await api.conversations(); // a 401 here calls sessionExpired()
  } catch {
    // the server is unreachable: keep retrying
  }
}
