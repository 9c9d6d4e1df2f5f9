// The composer: the message box, a draft per conversation, and sending what was written.

import { me, state } from './state.js';
import { clearTyping, composerTyped } from './typing.js';
import { sendMessage } from './outbox.js';
import { $ } from './dom.js';
import { hasAttachments, takeAttachments, wireMedia } from './media.js';
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
  const withAttachments = hasAttachments();
  if (!conv || (!text && !withAttachments)) return;
  // attachments still uploading: the message goes once they are done (the tray empties at once)
  const attachments = withAttachments ? takeAttachments() : Promise.resolve([]);
  input.value = '';
  drafts.delete(conv.id);
  state.lastTypingSent.delete(conv.id); // the next words start a new "typing…"
  clearTyping(conv, me());
  autoGrow();
  const reply = replyTarget(conv.id);
  const extras = { mentions: mentionsIn(conv, text), replyTo: reply ? reply.seq : null };
  cancelReply(conv.id);
  attachments.then((ids) => {
    if (text || ids.length > 0) sendMessage(conv, text, { ...extras, attachments: ids });
  });
  input.focus();
}

export function wireComposer() {
  const input = $('#composer-input');
  wireMentionAutocomplete(); // first, so that its Enter (choose) comes before the composer's (send)
  wireMedia({ button: $('#attach-button'), fileInput: $('#attach-input'), trayList: $('#attachment-tray'),
    dropZone: $('#composer'), input });
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
