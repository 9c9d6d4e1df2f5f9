// The search boxes that find people by username: the sidebar's, the members panel's and the new-group dialog's.

import { api, me, state } from './state.js';
import { fillAvatar } from './users.js';
import { alertText, announce } from './announce.js';
import { clear, h, replaceChildren } from './dom.js';

/**
 * Wires a search box to `GET /api/users?query=`: results are buttons (reachable with Tab, or ArrowDown from the box);
 * choosing one calls `onPick(user)`. `exclude()` answers ids not to offer.
 */
export function userSearch(input, results, onPick, exclude = () => new Set()) {
  let timer = null;
  let generation = 0;
  // aria-expanded belongs to a combobox (axe: aria-allowed-attr, critical): the input opens the results list
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  const hide = () => {
    results.hidden = true;
    clear(results);
    input.setAttribute('aria-expanded', 'false');
  };
  const run = async () => {
    const query = input.value.trim().replace(/^@/, '');
    const mine = ++generation;
    if (!query) {
      hide();
      return;
    }
    try {
      const page = await api.searchUsers(query, 8);
      if (mine !== generation) return;
      const skip = exclude();
      const users = page.users.filter((u) => u.userId !== me() && !skip.has(u.userId));
      for (const u of users) state.users.set(u.userId, { ...state.users.get(u.userId), ...u });
      replaceChildren(results, ...(users.length === 0
        ? [h('li', { class: 'no-results', text: `No one found for “${query}”` })]
        : users.map((u) => h('li', {},
          h('button', { type: 'button', class: 'person', dataset: { userId: u.userId, username: u.username },
            on: {
              click: () => {
                hide();
                input.value = '';
                onPick(u);
              },
              keydown: (event) => moveWithin(event, results, input),
            } },
          (() => {
            const a = h('span', { class: 'avatar small', attrs: { 'aria-hidden': 'true' } });
            fillAvatar(a, u.displayName || u.username, u.userId);
            return a;
          })(),
          h('span', { class: 'person-name', text: u.displayName || u.username }),
          h('span', { class: 'person-username', text: `@${u.username}` }))))));
      results.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      announce(users.length === 0 ? 'No one found' : `${users.length} ${users.length === 1 ? 'person' : 'people'} found`);
    } catch (e) {
      if (mine === generation) alertText(`Search failed: ${e.message}`);
    }
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      const first = results.querySelector('button');
      if (first) {
        event.preventDefault();
        first.focus();
      }
    } else if (event.key === 'Escape' && !results.hidden) {
      event.preventDefault();
      event.stopPropagation();
      input.value = '';
      hide();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      clearTimeout(timer);
      const first = results.querySelector('button');
      if (first && !results.hidden) first.click();
      else run();
    }
  });
  input.form?.addEventListener('submit', (event) => event.preventDefault());
  return { hide };
}

function moveWithin(event, results, input) {
  const buttons = [...results.querySelectorAll('button')];
  const index = buttons.indexOf(event.currentTarget);
  if (event.key === 'ArrowDown' && index < buttons.length - 1) {
    event.preventDefault();
    buttons[index + 1].focus();
  } else if (event.key === 'ArrowUp') {
    event.preventDefault();
    (index > 0 ? buttons[index - 1] : input).focus();
  } else if (event.key === 'Escape') {
    event.preventDefault();
    input.focus();
  }
}
