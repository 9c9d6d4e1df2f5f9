// Pictures, videos and files (issue 14): uploading from the composer (attach button, drag and drop, paste) with a
// progress bar per file, and showing attachments in the timeline (a thumbnail that opens full size, a video with its
// poster or an icon, a document card with name, type, size and a download link).
//
// An upload is three steps (openapi.yaml, tag media): POST /api/media/uploads declares it and answers a signed URL,
// the bytes go there with a PUT (XMLHttpRequest, for its upload progress), and POST /api/media/{id}/complete has the
// server inspect them. Links in messages expire after minutes: a picture whose link has expired asks for fresh ones.

import { api } from './state.js';
import { h } from './dom.js';
import { alertText } from './announce.js';

/** Files being attached to the next message: {id, file, progress, mediaId, error, xhr}. */
const tray = [];
let trayElement = null;
let onChange = () => {};

export function hasAttachments() {
  return tray.length > 0;
}

/**
 * Empties the tray for a message being sent and answers, once their uploads have finished, the media ids of those
 * that succeeded (a failed one was already reported and is left out).
 */
export async function takeAttachments() {
  const taken = tray.splice(0, tray.length);
  renderTray();
  await Promise.all(taken.map((item) => item.done));
  return taken.filter((item) => item.mediaId).map((item) => item.mediaId);
}

/** Adds files to the tray and uploads each at once. */
export function attach(files) {
  for (const file of files) {
    const item = { id: `${Date.now()}-${Math.random()}`, file, progress: 0, mediaId: null, error: null };
    tray.push(item);
    item.done = upload(item);
  }
  renderTray();
}

async function upload(item) {
  try {
    const started = await api.request('POST', '/api/media/uploads', {
      name: item.file.name || 'pasted-image.png',
      contentType: item.file.type || 'application/octet-stream',
      size: item.file.size,
    });
    await put(item, started);
    const attachment = await api.request('POST', `/api/media/${encodeURIComponent(started.mediaId)}/complete`);
    item.mediaId = attachment.mediaId;
    item.progress = 1;
    item.ready = true;
  } catch (e) {
    item.error = e.message || 'upload failed';
    alertText(`Could not attach ${item.file.name}: ${item.error}`);
  }
  renderTray();
}

function put(item, started) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    item.xhr = xhr;
    xhr.open(started.method || 'PUT', started.url);
    for (const [name, value] of Object.entries(started.headers || {})) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) {
        item.progress = event.loaded / event.total;
        renderTray();
      }
    };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve()
      : reject(new Error(errorOf(xhr) || `upload refused (${xhr.status})`)));
    xhr.onerror = () => reject(new Error('network error'));
    xhr.send(item.file);
  });
}

function errorOf(xhr) {
  try {
    return JSON.parse(xhr.responseText).message;
  } catch {
    return null;
  }
}

function remove(item) {
  if (item.xhr && !item.mediaId) item.xhr.abort();
  tray.splice(tray.indexOf(item), 1);
  renderTray();
}

function renderTray() {
  if (!trayElement) return;
  trayElement.hidden = tray.length === 0;
  trayElement.replaceChildren(...tray.map((item) => h('li', { class: `tray-item${item.error ? ' failed' : ''}`,
    dataset: { state: item.error ? 'failed' : item.ready ? 'ready' : 'uploading' } },
    h('span', { class: 'tray-name', text: item.file.name || 'image' }),
    item.error ? h('span', { class: 'error-text', text: item.error })
      : h('progress', { max: 1, value: item.progress, attrs: { 'aria-label': `Uploading ${item.file.name}` } }),
    h('button', { type: 'button', class: 'link-button', text: 'Remove',
      attrs: { 'aria-label': `Remove ${item.file.name}` }, on: { click: () => remove(item) } }))));
  onChange();
}

/** Wires the attach button, the file input, drag and drop onto `dropZone` and pasting into `input`. */
export function wireMedia({ button, fileInput, trayList, dropZone, input, changed }) {
  trayElement = trayList;
  onChange = changed || onChange;
  button.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    attach([...fileInput.files]);
    fileInput.value = '';
  });
  dropZone.addEventListener('dragover', (event) => {
    if ([...event.dataTransfer.types].includes('Files')) {
      event.preventDefault();
      dropZone.classList.add('dropping');
    }
  });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dropping'));
  dropZone.addEventListener('drop', (event) => {
    dropZone.classList.remove('dropping');
    if (event.dataTransfer.files.length > 0) {
      event.preventDefault();
      attach([...event.dataTransfer.files]);
    }
  });
  input.addEventListener('paste', (event) => {
    const files = [...(event.clipboardData ? event.clipboardData.files : [])];
    if (files.length > 0) {
      event.preventDefault();
      attach(files);
    }
  });
  renderTray();
}

// ------------------------------------------------------------------------------------------------ the timeline

/** Fresh links for a media whose link expired: GET /api/media/{id}. */
async function freshLinks(attachment) {
  return api.request('GET', `/api/media/${encodeURIComponent(attachment.mediaId)}`);
}

/** What a conversation list shows for a message's first attachment: "Photo: beach.jpg", "File: notes.txt". */
export function attachmentLabel(attachment) {
  const kind = attachment.contentType.startsWith('image/') ? 'Photo'
    : attachment.contentType.startsWith('video/') ? 'Video' : 'File';
  return `${kind}: ${attachment.name}`;
}

function extensionOf(name) {
  const dot = name.lastIndexOf('.');
  return dot > 0 && name.length - dot <= 5 ? name.slice(dot + 1).toUpperCase() : 'FILE';
}

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A picture that asks for fresh links once when its link has expired. */
function picture(attachment, which, props) {
  const img = h('img', { alt: attachment.name, ...props });
  let retried = false;
  img.addEventListener('error', async () => {
    if (retried) return;
    retried = true;
    try {
      const fresh = await freshLinks(attachment);
      img.src = fresh[which] || '';
    } catch {
      img.alt = `${attachment.name} (not available)`;
    }
  });
  img.src = attachment[which] || '';
  return img;
}

async function openFullSize(attachment) {
  let dialog = document.getElementById('media-viewer');
  if (!dialog) {
    dialog = h('dialog', { id: 'media-viewer', class: 'dialog media-viewer', attrs: { 'aria-label': 'Picture' } });
    dialog.addEventListener('click', () => dialog.close());
    document.body.append(dialog);
  }
  let fresh = attachment;
  try {
    fresh = await freshLinks(attachment);
  } catch {
    // the links the message brought may still work
  }
  dialog.replaceChildren(
    picture(fresh, 'url', { class: 'full-size' }),
    h('a', { href: fresh.url, download: fresh.name, text: `Download ${fresh.name}`, class: 'link-button' }),
    h('button', { type: 'button', class: 'secondary', text: 'Close', on: { click: () => dialog.close() } }));
  dialog.showModal();
}

/** The attachments of a message, for its bubble; null when it has none. */
export function renderAttachments(attachments) {
  if (!attachments || attachments.length === 0) return null;
  return h('div', { class: 'attachments' }, ...attachments.map((a) => {
    if (a.contentType.startsWith('image/') && a.thumbnail) {
      return h('button', { type: 'button', class: 'media-thumb', attrs: { 'aria-label': `Open ${a.name}` },
        on: { click: () => openFullSize(a) } },
      picture(a, 'thumbnailUrl', { width: a.width && a.height ? Math.min(320, a.width) : null, loading: 'lazy' }));
    }
    if (a.contentType.startsWith('video/')) {
      return h('video', { class: 'media-video', controls: true, preload: 'none', src: a.url,
        poster: a.thumbnailUrl || null, attrs: { 'aria-label': a.name } });
    }
    return h('div', { class: 'media-card' },
      h('span', { class: 'media-icon', attrs: { 'aria-hidden': 'true' }, text: extensionOf(a.name) }),
      h('span', { class: 'media-name', text: a.name }),
      h('span', { class: 'media-type', text: `${a.contentType} · ${formatSize(a.size)}` }),
      h('a', { class: 'link-button', href: a.url, download: a.name, text: 'Download',
        attrs: { 'aria-label': `Download ${a.name}` } }));
  }));
}
