// Message search: the box above the chat list, its results, and the jump to a result in its conversation.
//
// Results come from GET /api/search (newest first, in pages joined by an opaque cursor). The matched words arrive as
// ranges [start, end) of the message text in UTF-16 code units, the indices of a JavaScript string, so a result is
// drawn as text nodes and <mark> elements: nothing the server or a user wrote is ever parsed as HTML.

import { api, state, ui } from './state.js';
import { conversationTitle, ensureUser, userName } from './users.js';
import { addMessage, renderMessages } from './timeline.js';
import { alertText, announce } from './announce.js';
import { $, clear, h } from './dom.js';
import { shortTime } from './format.js';

const PAGE = 20;
let query = '';
let cursor = null;
let generation = 0; // answers to an older query are dropped

/** The text with each range wrapped in <mark>, as nodes. */
export function marked(text, highlights) {
  const nodes = [];
  let at = 0;
  for (const { start, end } of [...(highlights || [])].sort((a, b) => a.start - b.start)) {
    if (start < at || end > text.length || start >= end) continue; // never trust a range blindly
    if (start > at) nodes.push(document.createTextNode(text.slice(at, start)));
    nodes.push(h('mark', { text: text.slice(start, end) }));
    at = end;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

async function search(more = false) {
  const list = $('#message-search-results');
  const moreButton = $('#message-search-more');
  const mine = ++generation;
  if (!more) cursor = null;
  let page;
  try {
    page = await api.searchMessages(query, { cursor, limit: PAGE });
  } catch (e) {
    if (mine === generation) alertText(`Search failed: ${e.message}`);
    return;
  }
  if (mine !== generation) return;
  if (!more) clear(list);
  for (const hit of page.results) {
    ensureUser(hit.senderId);
    list.append(resultItem(hit));
  }
  if (!more && page.results.length === 0) list.append(h('li', { class: 'no-results', text: 'No messages found.' }));
  cursor = page.nextCursor || null;
  list.hidden = false;
  moreButton.hidden = !cursor;
  announce(more ? `${page.results.length} more messages found`
    : `${page.results.length}${cursor ? ' or more' : ''} messages found`);
}

function resultItem(hit) {
  const conv = state.conversations.get(hit.conversationId);
  const where = conv ? conversationTitle(conv) : 'a conversation';
  const text = hit.text || '';
  return h('li', {},
    h('button', {
      type: 'button',
      class: 'found-message',
      dataset: { conversationId: hit.conversationId, seq: String(hit.seq) },
      on: { click: () => jumpTo(hit.conversationId, hit.seq) },
    },
    h('span', { class: 'found-where', text: `${userName(hit.senderId)} in ${where}` }),
    h('time', { class: 'found-time', dateTime: hit.sentAt, text: shortTime(hit.sentAt) }),
    h('span', { class: 'found-text' }, ...marked(text, hit.highlights))));
}

/** Opens the conversation and shows the message: pages of history are read back until it is there. */
export async function jumpTo(conversationId, seq) {
  if (!state.conversations.has(conversationId)) {
    alertText('That conversation is no longer in your list.');
    return;
  }
  ui.openConversation(conversationId, { focus: false });
  const conv = state.conversations.get(conversationId);
  for (let waited = 0; !conv.loaded && waited < 5000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  try {
    while (!conv.messages.has(seq) && conv.hasMore) {
      const oldest = Math.min(...conv.messages.keys());
      if (!Number.isFinite(oldest) || oldest <= 1) break;
      const page = await api.messages(conv.id, { before: oldest, limit: 200 });
      for (const m of page.messages) addMessage(conv, m);
      conv.hasMore = page.hasMore;
      if (page.messages.length === 0) break;
    }
  } catch (e) {
    alertText(`Could not load the message: ${e.message}`);
    return;
  }
  if (state.openId !== conversationId) return;
  renderMessages(conv);
  const item = document.querySelector(`#message-list li.msg[data-seq="${seq}"]`);
  if (!item) {
    alertText('That message is no longer there.');
    return;
  }
  item.scrollIntoView({ block: 'center' });
  item.classList.add('found');
  if (!item.hasAttribute('tabindex')) item.tabIndex = -1;
  item.focus({ preventScroll: true });
  setTimeout(() => item.classList.remove('found'), 4000);
}

export function wireSearch() {
  const input = $('#message-search');
  const list = $('#message-search-results');
  let timer = null;
  $('#message-search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    query = input.value.trim();
    if (query) search();
  });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (!text) {
      generation++;
      list.hidden = true;
      $('#message-search-more').hidden = true;
      clear(list);
      return;
    }
    timer = setTimeout(() => {
      query = text;
      search();
    }, 300);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      input.value = '';
      input.dispatchEvent(new Event('input'));
    } else if (event.key === 'ArrowDown') {
      const first = list.querySelector('button');
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  list.addEventListener('keydown', (event) => {
    const buttons = [...list.querySelectorAll('button')];
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    if (event.key === 'ArrowDown' && at < buttons.length - 1) { event.preventDefault(); buttons[at + 1].focus(); }
    if (event.key === 'ArrowUp') { event.preventDefault(); (at > 0 ? buttons[at - 1] : input).focus(); }
  });
  $('#message-search-more').addEventListener('click', () => search(true));
}
