// Notifications: the service worker (/sw.js) that shows push notifications; turning them on for this browser (the
// permission, then a Web Push subscription with the server's VAPID key, registered under /api/devices); the settings
// panel (what a notification shows, and muting the open conversation); and opening the conversation a notification
// is about (a click in sw.js, or ?conversation= in the address of a window it opened).

import { api, state, ui } from './state.js';
import { $ } from './dom.js';
import { announce } from './announce.js';

let registration = null;
let requested = new URL(location.href).searchParams.get('conversation');

const HOUR = 3600 * 1000;
const MUTES = { '1h': HOUR, '8h': 8 * HOUR, '1w': 7 * 24 * HOUR };

export function wireNotifications() {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').then((r) => { registration = r; }).catch(() => {});
    navigator.serviceWorker.addEventListener('message', (event) => {
      const message = event.data || {};
      if (message.type === 'open-conversation' && typeof message.conversationId === 'string') {
        openWhenKnown(message.conversationId);
      }
    });
  }
  $('#notifications-button').addEventListener('click', () => openPanel().catch(showError));
  $('#notifications-close').addEventListener('click', () => $('#notifications-dialog').close());
  $('#notifications-enable').addEventListener('click', () => enablePush().catch(showError));
  for (const id of ['#notify-show-sender', '#notify-show-preview']) {
    $(id).addEventListener('change', () => saveAccount().catch(showError));
  }
  for (const id of ['#notify-mute', '#notify-mentions-only']) {
    $(id).addEventListener('change', () => saveConversation().catch(showError));
  }
}

/** Once the conversation list is known: the conversation the address asked for (a notification opened this window). */
export function openRequestedConversation() {
  if (!requested) return;
  const id = requested;
  requested = null;
  history.replaceState(null, '', '/');
  openWhenKnown(id);
}

function openWhenKnown(id) {
  if (state.conversations.has(id)) {
    ui.openConversation(id);
  } else {
    requested = id; // the list is still loading: openRequestedConversation opens it
  }
}

function showError(error) {
  $('#notifications-status').textContent = error && error.message ? error.message : String(error);
}

function permission() {
  return 'Notification' in window ? Notification.permission : 'unsupported';
}

function renderPermission() {
  const text = {
    granted: 'Notifications are allowed in this browser.',
    denied: 'Notifications are blocked for Parley in this browser’s site settings.',
    default: 'Allow notifications to hear of new messages while Parley is closed.',
    unsupported: 'This browser cannot show notifications.',
  }[permission()];
  $('#notifications-permission').textContent = text;
  $('#notifications-permission').dataset.permission = permission();
  $('#notifications-enable').hidden = permission() === 'denied' || permission() === 'unsupported';
}

async function openPanel() {
  $('#notifications-status').textContent = '';
  renderPermission();
  const account = await api.request('GET', '/api/notification-settings');
  $('#notify-show-sender').checked = account.showSender;
  $('#notify-show-preview').checked = account.showPreview;
  const id = state.openId;
  $('#notify-conversation').hidden = !id;
  if (id) {
    const settings = await api.request('GET', `/api/conversations/${encodeURIComponent(id)}/notification-settings`);
    const until = $('#notify-mute-until');
    until.hidden = !(settings.muted && !settings.mutedForever);
    until.textContent = settings.mutedUntil ? `Until ${new Date(settings.mutedUntil).toLocaleString()}` : '';
    $('#notify-mute').value = settings.mutedForever ? 'forever' : settings.muted ? 'until' : 'off';
    $('#notify-mentions-only').checked = settings.mentionsOnly;
  }
  $('#notifications-dialog').showModal();
}

async function saveAccount() {
  await api.request('PUT', '/api/notification-settings', {
    showSender: $('#notify-show-sender').checked,
    showPreview: $('#notify-show-preview').checked,
  });
  $('#notifications-status').textContent = 'Saved.';
}

async function saveConversation() {
  const id = state.openId;
  if (!id) return;
  const choice = $('#notify-mute').value;
  const body = { mentionsOnly: $('#notify-mentions-only').checked, mutedForever: choice === 'forever' };
  if (MUTES[choice]) body.mutedUntil = new Date(Date.now() + MUTES[choice]).toISOString();
  if (choice === 'until') return; // unchanged: the current time-limited mute
  const saved = await api.request('PUT', `/api/conversations/${encodeURIComponent(id)}/notification-settings`, body);
  $('#notifications-status').textContent = saved.muted ? 'This conversation is muted.' : 'Saved.';
  announce($('#notifications-status').textContent);
}

async function enablePush() {
  const status = $('#notifications-status');
  if (!('Notification' in window) || !('PushManager' in window)) {
    status.textContent = 'This browser cannot receive push notifications.';
    return;
  }
  const answer = await Notification.requestPermission();
  renderPermission();
  if (answer !== 'granted') return;
  const worker = registration || await navigator.serviceWorker.ready;
  const { publicKey } = await api.request('GET', '/api/devices/web-push-key');
  let subscription;
  try {
    subscription = await worker.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(publicKey) });
  } catch (error) {
    status.textContent = `This browser could not subscribe to its push service: ${error.message}`;
    return;
  }
  const json = subscription.toJSON();
  await api.request('POST', '/api/devices', {
    kind: 'webpush', endpoint: json.endpoint, keys: json.keys, label: navigator.userAgent.slice(0, 200),
  });
  status.textContent = 'Notifications are on for this browser.';
}

function fromBase64Url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
