// Replies, reactions, mentions and blocking (issue 16): what a message shows of them, the reply bar above the
// composer, the reaction picker, the mention autocomplete and the caller's block list. Imports only state.js,
// announce.js, users.js and dom.js, so timeline.js, composer.js, members.js and connection.js can all use it.

import { api, me, newId, socket, state, ui } from './state.js';
import { alertText, announce } from './announce.js';
import { userName } from './users.js';
import { $, h } from './dom.js';

/** The small set the picker offers; the server accepts any single emoji. */
export const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🎉'];

// ------------------------------------------------------------------------------------------------ replies

/** The message being answered, per conversation: {seq, senderId, text}. */
const replying = new Map();

export function replyTarget(conversationId) {
  return replying.get(conversationId) || null;
}

export function startReply(conv, m) {
  replying.set(conv.id, { seq: m.seq, senderId: m.senderId, text: m.text || '' });
  renderReplyBar(conv.id);
  $('#composer-input').focus();
}

export function cancelReply(conversationId) {
  replying.delete(conversationId);
  renderReplyBar(conversationId);
}

export function renderReplyBar(conversationId) {
  const bar = $('#reply-bar');
  if (!bar) return;
  const target = conversationId === state.openId ? replyTarget(conversationId) : null;
  bar.hidden = !target;
  if (!target) {
    bar.replaceChildren();
    return;
  }
  bar.replaceChildren(
    h('span', { class: 'reply-bar-text', text: `Replying to ${target.senderId === me() ? 'yourself' : userName(target.senderId)}: ${excerpt(target.text, 60)}` }),
    h('button', { type: 'button', class: 'link-button', text: 'Cancel', attrs: { 'aria-label': 'Cancel the reply' },
      on: { click: () => { cancelReply(conversationId); $('#composer-input').focus(); } } }));
}

/**
 * The quote a reply shows: the server's quote (history and sync) or, for a live message, the quoted message as this
 * page holds it; "deleted" once it is.
 */
export function quoteOf(conv, m) {
  if (m.replyTo == null) return null;
  const held = conv.messages.get(m.replyTo);
  const quote = held ? { senderId: held.senderId, excerpt: held.text, deleted: held.deleted } : m.quote;
  const text = !quote ? 'an earlier message' : quote.deleted ? 'This message was deleted'
    : `${quote.senderId === me() ? 'You' : userName(quote.senderId)}: ${excerpt(quote.excerpt, 80)}`;
  return h('blockquote', { class: `quote${quote && quote.deleted ? ' deleted' : ''}`, dataset: { replyTo: String(m.replyTo) } },
    h('span', { class: 'visually-hidden', text: 'In reply to ' }), text);
}

function excerpt(text, n) {
  if (!text) return '';
  const chars = Array.from(text);
  return chars.length > n ? `${chars.slice(0, n - 1).join('')}…` : text;
}

// ------------------------------------------------------------------------------------------------ mentions

/** The user ids the text mentions: every member whose "@username" it contains (what the autocomplete inserts). */
export function mentionsIn(conv, text) {
  const found = [];
  for (const member of conv.members) {
    const user = state.users.get(member.userId);
    if (!user || !user.username || member.userId === me()) continue;
    const pattern = new RegExp(`(^|[^\\w.-])@${escapeRegex(user.username)}(?![\\w.-])`, 'i');
    if (pattern.test(text)) found.push(member.userId);
  }
  return found;
}

/** The text with each mention of `mentions` (user ids) as a highlighted span; mine stand out more. */
export function textWithMentions(text, mentions) {
  const names = (mentions || []).map((id) => ({ id, user: state.users.get(id) })).filter((m) => m.user && m.user.username);
  if (!text || names.length === 0) return [text || ''];
  const pattern = new RegExp(`@(${names.map((n) => escapeRegex(n.user.username)).join('|')})(?![\\w.-])`, 'gi');
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    parts.push(text.slice(last, match.index));
    const who = names.find((n) => n.user.username.toLowerCase() === match[1].toLowerCase());
    parts.push(h('mark', { class: `mention${who && who.id === me() ? ' me' : ''}`, text: match[0] }));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/**
 * The composer's "@" autocomplete among the open conversation's members: a listbox under the box, arrow keys to move,
 * Enter or Tab to choose, Escape to close. The textarea keeps its own role (a textarea may not be a combobox), so
 * it says `aria-autocomplete="list"` and points at the highlighted option with `aria-activedescendant`.
 */
export function wireMentionAutocomplete() {
  const input = $('#composer-input');
  const list = $('#mention-list');
  let options = [];
  let active = 0;
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', 'mention-list');

  const close = () => {
    options = [];
    list.hidden = true;
    list.replaceChildren();
    input.removeAttribute('aria-activedescendant');
  };
  const query = () => {
    const before = input.value.slice(0, input.selectionStart);
    const match = /(^|\s)@([\w.-]*)$/.exec(before);
    return match ? match[2].toLowerCase() : null;
  };
  const choose = (user) => {
    const caret = input.selectionStart;
    const before = input.value.slice(0, caret).replace(/@([\w.-]*)$/, `@${user.username} `);
    input.value = before + input.value.slice(caret);
    input.setSelectionRange(before.length, before.length);
    close();
    input.dispatchEvent(new Event('input'));
    input.focus();
  };
  const render = () => {
    list.replaceChildren(...options.map((user, i) => h('li', {
      class: `mention-option${i === active ? ' active' : ''}`,
      attrs: { id: `mention-option-${i}`, role: 'option', 'aria-selected': String(i === active) },
      on: { mousedown: (event) => { event.preventDefault(); choose(user); } },
    }, h('span', { text: user.displayName || user.username }), h('span', { class: 'member-username', text: ` @${user.username}` }))));
    list.hidden = options.length === 0;
    if (options.length) input.setAttribute('aria-activedescendant', `mention-option-${active}`);
  };
  input.addEventListener('input', () => {
    const conv = state.conversations.get(state.openId);
    const q = query();
    if (!conv || q === null) {
      close();
      return;
    }
    options = conv.members.filter((m) => m.userId !== me()).map((m) => state.users.get(m.userId))
      .filter((u) => u && u.username && (u.username.startsWith(q) || (u.displayName || '').toLowerCase().startsWith(q)))
      .slice(0, 8);
    active = 0;
    render();
  });
  input.addEventListener('keydown', (event) => {
    if (list.hidden || options.length === 0) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      active = (active + (event.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length;
      render();
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault();
      event.stopImmediatePropagation(); // Enter chooses here, it does not send
      choose(options[active]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  }, { capture: true });
  input.addEventListener('blur', () => setTimeout(close, 150));
}

// ------------------------------------------------------------------------------------------------ reactions

/**
 * A `reaction` frame: live (one user's change, applied to the counts this page holds) or from sync (the message's
 * reactions now). Frames older than what the message holds (by reactionVersion) are ignored.
 */
export function onReaction(frame) {
  const conv = state.conversations.get(frame.conversationId);
  if (!conv) return;
  conv.reactionVersion = Math.max(conv.reactionVersion || 0, frame.reactionVersion);
  const m = conv.messages.get(frame.seq);
  if (!m || (m.reactionVersion || 0) >= frame.reactionVersion) return;
  m.reactionVersion = frame.reactionVersion;
  if (Array.isArray(frame.reactions)) {
    m.reactions = frame.reactions;
  } else {
    const reactions = (m.reactions || []).map((r) => ({ ...r, userIds: [...r.userIds] }));
    let entry = reactions.find((r) => r.emoji === frame.emoji);
    if (frame.added) {
      if (!entry) reactions.push(entry = { emoji: frame.emoji, count: 0, userIds: [] });
      if (!entry.userIds.includes(frame.userId)) entry.userIds.push(frame.userId);
    } else if (entry) {
      entry.userIds = entry.userIds.filter((id) => id !== frame.userId);
    }
    for (const r of reactions) r.count = r.userIds.length;
    m.reactions = reactions.filter((r) => r.count > 0);
    if (frame.added && frame.userId !== me() && m.senderId === me()) {
      announce(`${userName(frame.userId)} reacted ${frame.emoji}`);
    }
  }
  if (conv.id === state.openId) ui.renderMessages(conv);
}

function react(conv, m, emoji, remove) {
  if (!socket || !socket.online) {
    alertText('You are offline: the reaction cannot be sent now.');
    return;
  }
  const id = newId('r-');
  state.pendingOps.set(id, remove ? 'remove the reaction from' : 'react to');
  socket.send({ type: 'react', id, conversationId: conv.id, seq: m.seq, emoji, remove });
}

/** The counts under a message, each a toggle of my own reaction. */
export function reactionsOf(conv, m) {
  if (m.deleted || !m.reactions || m.reactions.length === 0) return null;
  return h('div', { class: 'reactions', attrs: { role: 'group', 'aria-label': 'Reactions' } },
    ...m.reactions.map((r) => {
      const mine = r.userIds.includes(me());
      const who = r.userIds.map((id) => (id === me() ? 'you' : userName(id))).join(', ');
      return h('button', { type: 'button', class: `reaction${mine ? ' mine' : ''}`,
        attrs: { 'aria-pressed': String(mine), title: who, 'aria-label': `${r.emoji} ${r.count}: ${who}` },
        on: { click: () => react(conv, m, r.emoji, mine) } }, `${r.emoji} ${r.count}`);
    }));
}

/** The Reply and React buttons of a message, and the picker the latter opens. */
export function messageActions(conv, m) {
  if (m.deleted) return [];
  const picker = h('div', { class: 'reaction-picker', attrs: { role: 'group', 'aria-label': 'Choose a reaction' }, hidden: true },
    ...REACTIONS.map((emoji) => h('button', { type: 'button', class: 'emoji', text: emoji,
      attrs: { 'aria-label': `React ${emoji}` },
      on: { click: () => {
        picker.hidden = true;
        const mine = (m.reactions || []).some((r) => r.emoji === emoji && r.userIds.includes(me()));
        react(conv, m, emoji, mine);
      } } })));
  const toggle = h('button', { type: 'button', class: 'link-button', text: 'React',
    attrs: { 'aria-expanded': 'false', 'aria-label': 'React to this message' },
    on: { click: () => {
      picker.hidden = !picker.hidden;
      toggle.setAttribute('aria-expanded', String(!picker.hidden));
      if (!picker.hidden) picker.querySelector('button').focus();
    } } });
  const reply = h('button', { type: 'button', class: 'link-button', text: 'Reply',
    attrs: { 'aria-label': 'Reply to this message' }, on: { click: () => startReply(conv, m) } });
  return [reply, toggle, picker];
}

// ------------------------------------------------------------------------------------------------ blocking

/** The users I have blocked (user ids), read once signed in and kept current by my own changes. */
export const blocked = new Set();

export async function loadBlocks() {
  try {
    const list = await api.request('GET', '/api/blocks');
    blocked.clear();
    for (const b of list) blocked.add(b.userId);
  } catch {
    // the list stays as it was; messages are still marked by the server
  }
}

export async function setBlocked(userId, block) {
  try {
    await api.request(block ? 'PUT' : 'DELETE', `/api/blocks/${encodeURIComponent(userId)}`);
    if (block) blocked.add(userId);
    else blocked.delete(userId);
    announce(`${userName(userId)} is ${block ? 'blocked' : 'unblocked'}.`);
  } catch (error) {
    alertText(`Could not ${block ? 'block' : 'unblock'} ${userName(userId)}: ${error.message}`);
  }
  const conv = state.conversations.get(state.openId);
  if (conv) ui.renderMessages(conv);
}

/**
 * Whether a message is hidden: its sender is on my block list. The server marks such messages (fromBlocked); a mark
 * for someone not on the list here (blocked from another device) puts them on it until the list is read again.
 */
export function isHidden(m) {
  if (m.senderId === me()) return false;
  if (m.fromBlocked && !seenMarks.has(`${m.conversationId}/${m.seq}`)) {
    seenMarks.add(`${m.conversationId}/${m.seq}`);
    blocked.add(m.senderId);
  }
  return blocked.has(m.senderId);
}

const seenMarks = new Set();

// ------------------------------------------------------------------------------------------------ URL per chat

/** The address of a conversation: #/c/{id}. A reload or a shared link opens the same chat. */
export function conversationFromUrl() {
  const match = /^#\/c\/(.+)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

export function setUrlFor(conversationId) {
  const wanted = conversationId ? `#/c/${encodeURIComponent(conversationId)}` : '';
  if (location.hash !== wanted) history.replaceState(null, '', wanted || location.pathname + location.search);
}

/** Following the address: a link to another chat opened in this tab, or Back to the list. */
export function wireRouting() {
  window.addEventListener('hashchange', () => {
    const id = conversationFromUrl();
    if (id && state.conversations.has(id)) ui.openConversation(id);
    else if (!id && state.openId) ui.closeConversation();
  });
}
