// The open conversation: opening and closing it (on a phone-sized screen it replaces the list), its header, and the
// batched redraw of the list and the open conversation.

import { presenceOf, state } from './state.js';
import { conversationTitle, ensureUser, fillAvatar, otherMember, userName } from './users.js';
import { loadReceipts, markReadIfReading } from './receipts.js';
import { renderTyping } from './typing.js';
import { autoGrow, draftOf, saveDraft } from './composer.js';
import { renderList } from './conversation-list.js';
import { editing, loadLatest, renderMessages, stopEditing } from './timeline.js';
import { renderMembers } from './members.js';
import { $, clear } from './dom.js';
import { renderReplyBar, setUrlFor } from './chat-features.js';
import { presenceText } from './format.js';

export function openConversation(id, { focus = true } = {}) {
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
  setUrlFor(id);
  renderReplyBar(id);
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

export function closeConversation() {
  if (state.openId) saveDraft();
  state.openId = null;
  setUrlFor(null);
  document.body.classList.remove('show-conversation');
  $('#conversation-pane').hidden = true;
  $('#no-conversation').hidden = false;
  renderList();
}

export function renderHeader(conv) {
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
  $('#members-button').hidden = false;
}

// ------------------------------------------------------------------------------------------------ rendering batch

let renderQueued = false;

/** Coalesces re-renders caused by profile and presence answers. */
export function scheduleRender() {
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

export function wireOpenConversation() {
  $('#back').addEventListener('click', () => {
    const id = state.openId;
    closeConversation();
    const item = document.querySelector(`.conv[data-conversation-id="${CSS.escape(id || '')}"]`);
    if (item) item.focus();
  });
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
