// What screen readers hear (the live regions of index.html), and the toast that shows alerts to everyone.

import { $, h } from './dom.js';

export function announce(text) {
  const region = $('#announcer');
  const line = h('p', { text });
  region.append(line);
  setTimeout(() => line.remove(), 15_000);
}

export function alertText(text) {
  const region = $('#alert');
  region.textContent = '';
  setTimeout(() => {
    region.textContent = text;
  }, 50);
  showToast(text);
}

let toastTimer = null;

function showToast(text) {
  let toast = $('#toast');
  if (!toast) {
    toast = h('div', { id: 'toast', class: 'toast', attrs: { 'aria-hidden': 'true' } });
    document.body.append(toast);
  }
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toast.hidden = true;
  }, 5_000);
}
