// The timeline of a conversation: its messages stored once per seq, history read page by page, live edits and
// deletes, and drawing it all, with editing and deleting my own messages.

import { ApiError } from './api.js';
import { api, conversation, justHeardOf, me, newId, socket, state } from './state.js';
import { colourClass, conversationTitle, userName } from './users.js';
import { isReading, isUnread, markReadIfReading, noteCursor, ownStatus, scheduleDelivered } from './receipts.js';
import { flushOutbox, saveOutbox } from './outbox.js';
import { clearTyping } from './typing.js';
import { refreshConversations, renderList } from './conversation-list.js';
import { alertText, announce } from './announce.js';
import { $, h, icon, replaceChildren, srOnly } from './dom.js';
import { clockTime, fullTime, nameList } from './format.js';
import { renderAttachments } from './media.js';
import { isHidden, messageActions, quoteOf, reactionsOf, textWithMentions } from './chat-features.js';

const PAGE_SIZE = 50;

// ------------------------------------------------------------------------------------------------ messages

/**
 * Stores a message once per (conversationId, seq); a second copy only merges. Answers true for a message not seen
 * before. `live`: it arrived on the socket (count it unread, confirm delivery, announce it).
 */
export function addMessage(conv, message, { live = false } = {}) {
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
    if (isUnread(conv, message) && !isReading(conv)) {
      conv.unread += 1;
      if ((message.mentions || []).includes(me())) conv.unreadMentions = (conv.unreadMentions || 0) + 1;
    }
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

export function onAck(frame) {
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
    // the message frame brings the attachments with their links, before or after the ack
    attachments: known ? known.attachments : undefined,
  }, { live: true });
}

export function onMessageUpdated(frame) {
  const conv = state.conversations.get(frame.conversationId);
  if (!conv) return;
  const message = conv.messages.get(frame.seq);
  if (message) {
    if (frame.deleted) {
      if (isUnread(conv, message)) conv.unread = Math.max(0, conv.unread - 1);
      message.deleted = true;
      message.text = null;
      message.attachments = [];
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

export async function loadLatest(conv) {
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

function announceMessage(conv, m) {
  const who = userName(m.senderId);
  const where = conv.id === state.openId ? '' : conv.type === 'group' ? ` in ${conversationTitle(conv)}` : '';
  announce(`${who}${where}: ${m.deleted ? 'message deleted' : m.text}`);
}

// ------------------------------------------------------------------------------------------------ message rendering

export let editing = null; // {conversationId, seq}

function timelineOf(conv) {
  const entries = [];
  for (const m of conv.messages.values()) entries.push({ key: `s:${m.seq}`, order: [m.seq, 0, 0], message: m });
  conv.notes.forEach((n, i) => entries.push({ key: n.key, order: [n.afterSeq, 1, i], note: n }));
  state.outbox.filter((e) => e.conversationId === conv.id).forEach((e, i) =>
    entries.push({ key: `p:${e.id}`, order: [Number.MAX_SAFE_INTEGER, 2, i], pending: e }));
  entries.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || a.order[2] - b.order[2]);
  return entries;
}

export function renderMessages(conv, { toBottom = false } = {}) {
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
  const quoted = m.replyTo != null ? conv.messages.get(m.replyTo) : null;
  const hidden = isHidden(m);
  const signature = JSON.stringify([m.text, m.deleted, m.editedAt, m.sentAt, status && status.label, showSender,
    (m.attachments || []).map((a) => a.mediaId),
    userName(m.senderId), continued, isEditing, isLastOwn && conv.type === 'group', m.replyTo, m.quote,
    quoted && [quoted.text, quoted.deleted], m.reactions, m.mentions, hidden]);
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

  if (hidden) {
    bubble.append(h('p', { class: 'text deleted-text', text: 'Message from someone you blocked' }));
    li.replaceChildren(bubble);
    li.classList.add('blocked');
    return;
  }
  const quote = quoteOf(conv, m);
  if (quote && !m.deleted) bubble.append(quote);
  if (isEditing) {
    bubble.append(editor(conv, m));
  } else if (m.deleted) {
    bubble.append(h('p', { class: 'text deleted-text', text: 'This message was deleted' }));
  } else {
    bubble.append(renderAttachments(m.attachments));
    if (m.text || !(m.attachments && m.attachments.length)) {
      bubble.append(h('p', { class: 'text' }, ...textWithMentions(m.text || '', m.mentions)));
    }
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
  const reactions = reactionsOf(conv, m);
  if (reactions) li.append(reactions);
  if (!mine && !m.deleted && !isEditing) li.append(h('div', { class: 'actions' }, ...messageActions(conv, m)));
  if (mine && !m.deleted && !isEditing) {
    li.append(h('div', { class: 'actions' }, ...messageActions(conv, m),
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
    entry.attachments && entry.attachments.length
      ? h('p', { class: 'text pending-attachments', text: `${entry.attachments.length} attachment(s)` }) : null,
    entry.text ? h('p', { class: 'text', text: entry.text }) : null,
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

export function stopEditing(refocus = false) {
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

export function wireTimeline() {
  $('#load-earlier').addEventListener('click', () => {
    const conv = state.conversations.get(state.openId);
    if (conv) loadEarlier(conv);
  });
  $('#messages').addEventListener('scroll', () => {
    const conv = state.conversations.get(state.openId);
    if (conv && conv.hasMore && !conv.loading && $('#messages').scrollTop < 60) loadEarlier(conv);
  }, { passive: true });
}
