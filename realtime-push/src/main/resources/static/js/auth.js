// Signing in: the log-in and create-account forms, the session kept in the tab, starting the chat and ending it.

import { conversationFromUrl, loadBlocks } from './chat-features.js';
import { api, conversation, me, state, ui } from './state.js';
import { ensureUser, fillAvatar } from './users.js';
import { loadOutbox, outboxKey } from './outbox.js';
import { drafts } from './composer.js';
import { refreshConversations } from './conversation-list.js';
import { connect, disconnect } from './connection.js';
import { openRequestedConversation } from './notifications.js';
import { $, clear } from './dom.js';

// ------------------------------------------------------------------------------------------------ session storage
//
// The session token lives in sessionStorage, not localStorage: it survives a reload of the tab (the issue asks for
// that) but not the closing of the tab or of the browser, and other tabs do not see it. Either store is readable by
// script on this origin; what keeps foreign script out is the Content-Security-Policy (only this origin's scripts
// run) and rendering all text with textContent. A cookie is not used because the API takes a bearer token. Logging
// out removes it (and the unsent-message outbox) at once and ends the session on the server, so a copy left behind is
// refused. The socket is opened with a one-time ticket, never with the token in its URL.

const SESSION_KEY = 'parley.session';

function loadSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    if (!session || !session.token || !session.userId) return null;
    if (session.expiresAt && Date.parse(session.expiresAt) <= Date.now()) return null;
    return session;
  } catch {
    return null;
  }
}

function saveSession(session) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

// ------------------------------------------------------------------------------------------------ auth views

function showAuth(message) {
  $('#loading').hidden = true;
  $('#chat-view').hidden = true;
  $('#auth-view').hidden = false;
  if (message) $('#login-error').textContent = message;
  selectTab('login', false);
  $('#login-username').focus();
}

function selectTab(which, focus = true) {
  for (const name of ['login', 'register']) {
    const tab = $(`#tab-${name}`);
    const selected = name === which;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`#${name}-form`).hidden = !selected;
    $(`#${name}-panel`).hidden = !selected;
  }
  if (focus) $(`#tab-${which}`).focus();
}

async function submitLogin(event) {
  event.preventDefault();
  const error = $('#login-error');
  error.textContent = '';
  const username = $('#login-username').value.trim();
  const password = $('#login-password').value;
  if (!username || !password) {
    error.textContent = 'Enter your username and password.';
    return;
  }
  try {
    await logIn(username, password);
  } catch (e) {
    error.textContent = e.status === 401 ? 'Wrong username or password.' : e.message;
  }
}

async function submitRegister(event) {
  event.preventDefault();
  const error = $('#register-error');
  error.textContent = '';
  const username = $('#register-username').value.trim();
  const displayName = $('#register-display-name').value.trim();
  const password = $('#register-password').value;
  if (!/^[A-Za-z0-9_.-]{3,32}$/.test(username)) {
    error.textContent = 'The username needs 3 to 32 letters, digits, “_”, “.” or “-”.';
    $('#register-username').focus();
    return;
  }
  if (!displayName) {
    error.textContent = 'Enter your name.';
    $('#register-display-name').focus();
    return;
  }
  if (password.length < 8) {
    error.textContent = 'The password needs at least 8 characters.';
    $('#register-password').focus();
    return;
  }
  try {
    await api.register(username, password, displayName);
    await logIn(username, password);
  } catch (e) {
    error.textContent = e.status === 409 ? 'That username is taken.' : e.message;
  }
}

async function logIn(username, password) {
  const session = await api.login(username, password);
  state.session = { token: session.token, userId: session.userId, username: username.toLowerCase(),
    expiresAt: session.expiresAt };
  saveSession(state.session);
  $('#login-password').value = '';
  $('#register-password').value = '';
  startChat();
}

function logOut() {
  const unsent = state.outbox.length;
  if (unsent > 0 && !window.confirm(`${unsent} message${unsent === 1 ? ' has' : 's have'} not been sent yet. Log out anyway?`)) {
    return;
  }
  const { userId, token } = state.session;
  endSession();
  showAuth();
  // the server ends the session too, so the token is of no use to anyone who finds it; best effort
  api.logout(userId, token).catch(() => {});
}

export function sessionExpired() {
  if (!state.session) return;
  endSession();
  showAuth('Your session has ended. Please log in again.');
}

function endSession() {
  disconnect();
  if (state.session) sessionStorage.removeItem(outboxKey());
  sessionStorage.removeItem(SESSION_KEY);
  state.session = null;
  state.users.clear();
  state.presence.clear();
  state.conversations.clear();
  state.outbox = [];
  state.openId = null;
  drafts.clear();
  clear($('#conversation-list'));
  clear($('#message-list'));
  document.body.classList.remove('show-conversation');
  $('#conversation-pane').hidden = true;
  $('#no-conversation').hidden = false;
  document.title = 'Parley';
}

async function startChat() {
  $('#loading').hidden = true;
  $('#auth-view').hidden = true;
  $('#chat-view').hidden = false;
  $('#me-name').textContent = state.session.username;
  fillAvatar($('#me-avatar'), state.session.username, state.session.userId);
  loadOutbox();
  ensureUser(me()).then((user) => {
    if (user) {
      $('#me-name').textContent = user.displayName || user.username;
      fillAvatar($('#me-avatar'), user.displayName || user.username, user.userId);
    }
  });
  // conversations with unsent messages must be known before the first sync
  for (const entry of state.outbox) conversation(entry.conversationId);
  await Promise.all([refreshConversations(), loadBlocks()]);
  if (!state.session) return;
  openRequestedConversation();
  connect();
  const linked = conversationFromUrl();
  if (linked && state.conversations.has(linked)) ui.openConversation(linked);
  else $('#user-search').focus();
}

export function wireAuth() {
  $('#tab-login').addEventListener('click', () => selectTab('login'));
  $('#tab-register').addEventListener('click', () => selectTab('register'));
  for (const id of ['#tab-login', '#tab-register']) {
    $(id).addEventListener('keydown', (event) => {
      if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) {
        event.preventDefault();
        selectTab(id === '#tab-login' ? 'register' : 'login');
      }
    });
  }
  $('#login-form').addEventListener('submit', submitLogin);
  $('#register-form').addEventListener('submit', submitRegister);
  $('#logout').addEventListener('click', logOut);
}

/** Carries on with the session this tab kept, or asks to sign in. */
export function resumeSession() {
  const session = loadSession();
  if (session) {
    state.session = session;
    startChat();
  } else {
    sessionStorage.removeItem(SESSION_KEY);
    showAuth();
  }
}
