// People: names, profiles and presence as read from the server and from `presence` and `presence_batch` frames,
// and their avatars.

import { ApiError } from './api.js';
import { api, me, presenceFrames, presenceOf, state, ui } from './state.js';

export function userName(userId) {
  if (userId === me()) return 'You';
  const user = state.users.get(userId);
  return user ? (user.displayName || user.username) : '…';
}

/**
 * Reads a user's profile and presence (`GET /api/users/{id}`) the first time the user appears anywhere (the list, a
 * conversation opened, a frame), or again with `refresh`. A search result brings a profile but no presence: the
 * user is read all the same.
 */
export function ensureUser(userId, { refresh = false } = {}) {
  if (!userId) return Promise.resolve(null);
  if (!refresh && state.users.has(userId) && state.presence.has(userId)) return Promise.resolve(state.users.get(userId));
  if (state.userRequests.has(userId)) return state.userRequests.get(userId);
  const request = (async () => {
    // A user registered a moment ago may not be in the directory yet: try a few times.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const framesBefore = presenceFrames(userId);
        const { online, lastSeen, ...user } = await api.user(userId);
        state.users.set(userId, { ...state.users.get(userId), ...user });
        if (presenceFrames(userId) === framesBefore) {
          // no frame came while the answer was on its way, so it is the latest news
          state.presence.set(userId, { online, lastSeen, frames: framesBefore });
        }
        ui.scheduleRender();
        return user;
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 404) break;
        await sleep(300 * (attempt + 1));
      }
    }
    return state.users.get(userId) || null;
  })().finally(() => state.userRequests.delete(userId));
  state.userRequests.set(userId, request);
  return request;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function onPresence(frame) {
  rememberPresence(frame);
  ui.scheduleRender();
}

/** Several users' presence in one frame (the server coalesces changes per recipient over a short window). */
export function onPresenceBatch(frame) {
  for (const entry of frame.users || []) rememberPresence(entry);
  ui.scheduleRender();
}

function rememberPresence({ userId, online, lastSeen }) {
  state.presence.set(userId, { online,
    lastSeen: lastSeen || presenceOf(userId)?.lastSeen, frames: presenceFrames(userId) + 1 });
  ensureUser(userId);
}

/** The other member of a direct conversation. */
export function otherMember(conv) {
  const other = conv.members.find((m) => m.userId !== me());
  return other ? other.userId : null;
}

export function conversationTitle(conv) {
  if (conv.type === 'group') return conv.name || 'Group';
  const other = otherMember(conv);
  return other ? userName(other) : 'Conversation';
}

function initials(text) {
  const words = (text || '?').trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] || '?').slice(0, 2);
  return letters.toUpperCase();
}

export function colourClass(key) {
  let hash = 0;
  for (const ch of key || '') hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return `c${hash % 8}`;
}

export function fillAvatar(el, label, key) {
  el.textContent = initials(label);
  el.className = `avatar ${colourClass(key)}`;
}
