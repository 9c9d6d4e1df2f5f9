// The composer: the message box, a draft per conversation, and sending what was written.

import { me, state } from './state.js';
import { clearTyping, composerTyped } from './typing.js';
import { sendMessage } from './outbox.js';
import { $ } from './dom.js';
import { cancelReply, mentionsIn, replyTarget, wireMentionAutocomplete } from './chat-features.js';

export const drafts = new Map();

export function draftOf(id) {
  return drafts.get(id) || '';
}

export function saveDraft() {
  if (state.openId) drafts.set(state.openId, $('#composer-input').value);
}

export function autoGrow() {
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
  const reply = replyTarget(conv.id);
  sendMessage(conv, text, { mentions: mentionsIn(conv, text), replyTo: reply ? reply.seq : null });
  cancelReply(conv.id);
  input.focus();
}

export function wireComposer() {
  const input = $('#composer-input');
  wireMentionAutocomplete(); // first, so that its Enter (choose) comes before the composer's (send)
  $('#composer').addEventListener('submit', submitComposer);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && replyTarget(state.openId)) cancelReply(state.openId);
  });
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
}
