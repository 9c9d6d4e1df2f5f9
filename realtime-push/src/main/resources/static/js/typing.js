// Typing: showing who is typing (in the list and above the message box), and telling the others while I type.

import { me, socket, state, ui } from './state.js';
import { conversationTitle, ensureUser, userName } from './users.js';
import { $ } from './dom.js';
import { nameList } from './format.js';

const TYPING_SEND_EVERY = 2_000;

const TYPING_SHOWN_FOR = 4_500;

export function onTyping(frame) {
  if (frame.userId === me()) return;
  const conv = state.conversations.get(frame.conversationId);
  if (!conv) return;
  clearTimeout(conv.typing.get(frame.userId));
  conv.typing.set(frame.userId, setTimeout(() => clearTyping(conv, frame.userId), TYPING_SHOWN_FOR));
  ensureUser(frame.userId);
  renderTyping();
  ui.renderList();
}

export function clearTyping(conv, userId) {
  if (!conv.typing.has(userId)) return;
  clearTimeout(conv.typing.get(userId));
  conv.typing.delete(userId);
  renderTyping();
  ui.renderList();
}

export function typingText(conv) {
  const names = [...conv.typing.keys()].map(userName);
  if (names.length === 0) return '';
  if (conv.type === 'direct') return 'typing…';
  return `${nameList(names)} ${names.length === 1 ? 'is' : 'are'} typing…`;
}

export function renderTyping() {
  const conv = state.conversations.get(state.openId);
  const text = conv ? typingText(conv) : '';
  const el = $('#typing');
  const full = conv && conv.type === 'direct' && text ? `${conversationTitle(conv)} is typing…` : text;
  if (el.textContent !== full) el.textContent = full;
}

export function composerTyped() {
  const conv = state.conversations.get(state.openId);
  if (!conv || !socket || !socket.online) return;
  if (!$('#composer-input').value.trim()) return;
  const last = state.lastTypingSent.get(conv.id) || 0;
  if (Date.now() - last < TYPING_SEND_EVERY) return;
  state.lastTypingSent.set(conv.id, Date.now());
  socket.send({ type: 'typing', conversationId: conv.id });
}
