// Members: member changes as they happen, the members panel of a group (adding, removing, leaving), and new groups.

import { blocked, setBlocked } from './chat-features.js';
import { api, conversation, me, newId, state, ui } from './state.js';
import { conversationTitle, ensureUser, userName } from './users.js';
import { refreshConversations, renderList } from './conversation-list.js';
import { renderMessages } from './timeline.js';
import { userSearch } from './user-search.js';
import { alertText, announce } from './announce.js';
import { $, h, replaceChildren } from './dom.js';

export function onMember(frame) {
  let conv = state.conversations.get(frame.conversationId);
  if (frame.userId === me()) {
    if (frame.change === 'left' || frame.change === 'removed') {
      if (conv) {
        const title = conversationTitle(conv);
        state.conversations.delete(conv.id);
        if (state.openId === conv.id) ui.closeConversation();
        announce(frame.change === 'left' ? `You left ${title}` : `You were removed from ${title}`);
        renderList();
      }
      return;
    }
  }
  if (!conv) {
    // a group this user just joined, or a change that came before the list had the group: keep what the frame
    // says (memberChanges) so a list from a read model that lags behind does not undo it
    conv = conversation(frame.conversationId);
    conv.type = 'group';
    conv.placeholder = true;
    conv.createdAt = Date.now();
    conv.updatedAt = conv.updatedAt || new Date().toISOString();
    refreshConversations();
  }
  const existing = conv.members.find((m) => m.userId === frame.userId);
  if (frame.change === 'joined' || frame.change === 'role_changed') {
    if (existing) existing.role = frame.role || existing.role;
    else conv.members.push({ userId: frame.userId, role: frame.role || 'member' });
    conv.memberChanges.set(frame.userId, { member: conv.members.find((m) => m.userId === frame.userId), at: Date.now() });
  } else if (frame.change === 'left' || frame.change === 'removed') {
    conv.members = conv.members.filter((m) => m.userId !== frame.userId);
    conv.cursors.delete(frame.userId);
    conv.memberChanges.set(frame.userId, { member: null, at: Date.now() });
  }
  ensureUser(frame.userId).then(() => {
    const name = userName(frame.userId);
    const text = {
      joined: `${name} joined`,
      left: `${name} left`,
      removed: `${name} was removed`,
      role_changed: `${name} is now ${frame.role === 'owner' ? 'an owner' : frame.role === 'admin' ? 'an admin' : 'a member'}`,
    }[frame.change];
    if (text && !(frame.change === 'joined' && existing)) {
      conv.notes.push({ key: newId('n-'), afterSeq: conv.lastSeq, text });
      if (conv.id === state.openId) announce(text);
    }
    if (conv.id === state.openId) {
      renderMessages(conv);
      ui.renderHeader(conv);
      renderMembers(conv);
    }
    renderList();
  });
}

function myRole(conv) {
  const mine = conv.members.find((m) => m.userId === me());
  return mine ? mine.role : null;
}

export function renderMembers(conv) {
  const canManage = conv.type === 'group' && ['owner', 'admin'].includes(myRole(conv));
  $('#leave-group').hidden = conv.type !== 'group';
  const list = $('#member-list');
  replaceChildren(list, ...conv.members.map((m) => {
    const name = userName(m.userId);
    const user = state.users.get(m.userId);
    return h('li', { class: 'member' },
      h('span', { class: 'member-name', text: m.userId === me() ? `${name} (you)` : name }),
      user && user.username ? h('span', { class: 'member-username', text: `@${user.username}` }) : null,
      m.role !== 'member' ? h('span', { class: 'role', text: m.role }) : null,
      canManage && m.userId !== me()
        ? h('button', { type: 'button', class: 'link-button danger-text', text: 'Remove',
          attrs: { 'aria-label': `Remove ${name} from the group` },
          on: { click: () => removeMember(conv, m.userId) } })
        : null,
      m.userId !== me()
        ? h('button', { type: 'button', class: 'link-button', text: blocked.has(m.userId) ? 'Unblock' : 'Block',
          attrs: { 'aria-label': `${blocked.has(m.userId) ? 'Unblock' : 'Block'} ${name}` },
          on: { click: async () => {
            await setBlocked(m.userId, !blocked.has(m.userId));
            renderMembers(conv);
          } } })
        : null);
  }));
  $('#add-member-form').hidden = !canManage;
}

async function removeMember(conv, userId) {
  const name = userName(userId);
  if (!window.confirm(`Remove ${name} from ${conversationTitle(conv)}?`)) return;
  try {
    await api.removeMember(conv.id, userId);
    announce(`${name} removed`);
  } catch (e) {
    alertText(e.status === 403 ? 'Only owners and admins can remove members.' : `Could not remove: ${e.message}`);
  }
}

async function leaveGroup() {
  const conv = state.conversations.get(state.openId);
  if (!conv || !window.confirm(`Leave ${conversationTitle(conv)}?`)) return;
  try {
    await api.removeMember(conv.id, me());
  } catch (e) {
    alertText(`Could not leave: ${e.message}`);
  }
}

async function addMember(user) {
  const conv = state.conversations.get(state.openId);
  if (!conv) return;
  try {
    await api.addMember(conv.id, user.userId);
    announce(`${user.displayName || user.username} added`);
  } catch (e) {
    alertText(e.status === 403 ? 'Only owners and admins can add members.' : `Could not add: ${e.message}`);
  }
  $('#add-member-search').focus();
}

// ------------------------------------------------------------------------------------------------ groups

const groupChoice = new Map();

function openGroupDialog() {
  groupChoice.clear();
  $('#group-name').value = '';
  $('#group-error').textContent = '';
  renderGroupChoice();
  $('#group-dialog').showModal();
  $('#group-name').focus();
}

function renderGroupChoice() {
  replaceChildren($('#group-chosen'), ...[...groupChoice.values()].map((u) =>
    h('li', { class: 'chip' },
      h('span', { text: u.displayName || u.username }),
      h('button', { type: 'button', class: 'chip-remove', text: '×',
        attrs: { 'aria-label': `Remove ${u.displayName || u.username}` },
        on: { click: () => { groupChoice.delete(u.userId); renderGroupChoice(); $('#group-member-search').focus(); } } }))));
}

async function createGroup(event) {
  event.preventDefault();
  const name = $('#group-name').value.trim();
  if (!name) {
    $('#group-error').textContent = 'Give the group a name.';
    $('#group-name').focus();
    return;
  }
  try {
    const members = [...groupChoice.keys()];
    const { conversationId } = await api.createGroup(name, members);
    const conv = conversation(conversationId);
    if (conv.members.length === 0) {
      conv.type = 'group';
      conv.name = name;
      conv.members = [{ userId: me(), role: 'owner' }, ...members.map((userId) => ({ userId, role: 'member' }))];
      conv.placeholder = true;
      conv.createdAt = Date.now();
      conv.updatedAt = new Date().toISOString();
    }
    $('#group-dialog').close();
    ui.openConversation(conversationId);
    refreshConversations();
  } catch (e) {
    $('#group-error').textContent = e.message;
  }
}

export function wireMembers() {
  userSearch($('#add-member-search'), $('#add-member-results'), addMember, () => {
    const conv = state.conversations.get(state.openId);
    return new Set(conv ? conv.members.map((m) => m.userId) : []);
  });
  userSearch($('#group-member-search'), $('#group-member-results'), (user) => {
    groupChoice.set(user.userId, user);
    renderGroupChoice();
    $('#group-member-search').focus();
  }, () => new Set(groupChoice.keys()));

  $('#new-group').addEventListener('click', openGroupDialog);
  $('#group-form').addEventListener('submit', createGroup);
  $('#group-cancel').addEventListener('click', () => $('#group-dialog').close());

  $('#members-button').addEventListener('click', () => {
    const panel = $('#members-panel');
    panel.hidden = !panel.hidden;
    $('#members-button').setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) {
      const conv = state.conversations.get(state.openId);
      if (conv) renderMembers(conv);
      (conv && ['owner', 'admin'].includes(myRole(conv)) ? $('#add-member-search') : $('#leave-group')).focus();
    }
  });
  $('#leave-group').addEventListener('click', leaveGroup);
}
