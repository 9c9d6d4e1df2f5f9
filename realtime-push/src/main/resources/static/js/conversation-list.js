// The conversation list: reading it from the server, merging it with what the socket brought, drawing it, and
// starting a direct chat with someone found through search.

import { ApiError } from './api.js';
import { api, conversation, justHeardOf, me, presenceOf, state, ui } from './state.js';
import { conversationTitle, ensureUser, fillAvatar, otherMember, userName } from './users.js';
import { isReading, isUnread, markReadIfReading, noteCursor, scheduleDelivered } from './receipts.js';
import { typingText } from './typing.js';
import { userSearch } from './user-search.js';
import { alertText } from './announce.js';
import { $, h, replaceChildren, srOnly } from './dom.js';
import { shortTime } from './format.js';
import { attachmentLabel } from './media.js';

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
  conv.reactionVersion = Math.max(conv.reactionVersion || 0, summary.reactionVersion || 0);
  conv.unreadMentions = isReading(conv) ? 0 : (summary.unreadMentions || 0);
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
export function refreshConversations() {
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
            if (state.openId === id) ui.closeConversation();
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
      ui.renderHeader(open);
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
  const media = m.attachments && m.attachments.length ? attachmentLabel(m.attachments[0]) : '';
  return { text: who + [media, m.text || ''].filter(Boolean).join(' · ') };
}

export function renderList() {
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
        h('button', { type: 'button', class: 'conv', on: { click: () => ui.openConversation(conv.id) } }));
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
      conv.unreadMentions > 0 && conv.unread > 0
        ? h('span', { class: 'badge mention-badge', text: '@' }, srOnly(' you were mentioned'))
        : null,
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
    ui.openConversation(conversationId);
    refreshConversations();
  } catch (e) {
    alertText(`Could not open the chat: ${e.message}`);
  }
}

export function wireConversationList() {
  userSearch($('#user-search'), $('#search-results'), startDirect);
}
