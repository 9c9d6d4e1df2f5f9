// Parley's web client: plain ES modules, no build step, no framework.
//
// Data flow: REST for what is read on demand (conversation list, history pages, profiles, search) and for changes
// to groups; the socket for everything live (messages, receipts, presence, typing, member changes, edits, deletes)
// and for sending. Messages are kept per conversation in a Map keyed by seq, so whatever arrives twice (sync after a
// reconnect, a history page overlapping live frames) is stored once: dedupe by (conversationId, seq).
//
// Every piece of text from the server or a user is put into the page with textContent (see dom.js), never as HTML.
//
// The modules, each importing only those above it in this list (and api.js, dom.js, format.js, socket.js):
//
//   state.js              the shared state, the presence store, the socket, and `ui` (the calls that go upward)
//   announce.js           what screen readers hear, and the toast
//   users.js              names, profiles, presence frames, avatars
//   user-search.js        the search boxes that find people by username
//   receipts.js           delivered and read cursors, ticks, unread counts, telling the server what was read
//   outbox.js             messages written but not yet acknowledged
//   typing.js             who is typing, and telling the others
//   composer.js           the message box and its drafts
//   conversation-list.js  the list of chats, and starting a direct chat
//   timeline.js           a conversation's messages: stored once, history, edits and deletes, drawn
//   members.js            member changes, the members panel, new groups
//   open-conversation.js  opening and closing a conversation, its header, the batched redraw
//   connection.js         the socket: sync, frames, connection state
//   notifications.js      the service worker, push subscription, notification settings, opening from a notification
//   auth.js               signing in and out, the session kept in the tab
//   chat-features.js      replies, reactions, mentions, blocking, the URL per chat (below state.js, announce.js,
//                         users.js; used by the modules above that draw or send them)
//   search.js             message search: the box, its results, the jump to a message in its conversation
//
// This module fills in `ui`, wires the page's controls and starts.

import { ui } from './state.js';
import { renderList, wireConversationList } from './conversation-list.js';
import { renderMessages, wireTimeline } from './timeline.js';
import { wireMembers } from './members.js';
import { wireComposer } from './composer.js';
import { closeConversation, openConversation, renderHeader, scheduleRender, wireOpenConversation } from './open-conversation.js';
import { resumeSession, sessionExpired, wireAuth } from './auth.js';
import { wireNotifications } from './notifications.js';
import { wireRouting } from './chat-features.js';
import { wireSearch } from './search.js';

Object.assign(ui, { renderList, renderMessages, renderHeader, openConversation, closeConversation, scheduleRender,
  sessionExpired });

wireAuth();
wireConversationList();
wireMembers();
wireComposer();
wireTimeline();
wireOpenConversation();
wireNotifications();
wireRouting();
wireSearch();
resumeSession();
