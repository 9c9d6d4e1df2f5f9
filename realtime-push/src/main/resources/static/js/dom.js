// Small DOM helpers. Text is only ever set with textContent (through text nodes): no function here parses HTML, so
// nothing a user typed can become markup or script. The Content-Security-Policy header is the second line of defence.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Creates an element. `props`: `class`, `text` (textContent), `dataset` (object), `on` (object of event listeners),
 * `attrs` (attributes), anything else is set as a property (id, type, hidden, disabled, value...).
 * Children: nodes, strings (as text), or null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

function applyProps(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'on') for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    else if (key === 'attrs') for (const [name, v] of Object.entries(value)) { if (v !== null && v !== undefined && v !== false) el.setAttribute(name, v === true ? '' : String(v)); }
    else el[key] = value;
  }
}

export function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Replaces the children of `el`. */
export function replaceChildren(el, ...children) {
  clear(el);
  return append(el, children);
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

/** Icons drawn as inline SVG (no icon font, no images), hidden from screen readers: a text label goes beside them. */
const ICONS = {
  // a clock: waiting for the server
  pending: ['M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13Z', 'M8 4.5V8l2.5 1.5'],
  sent: ['M2.5 8.5l3.5 3.5 7.5-8'],
  delivered: ['M0.5 8.5l3.5 3.5 7.5-8', 'M6.5 11l1 1 7.5-8'],
  read: ['M0.5 8.5l3.5 3.5 7.5-8', 'M6.5 11l1 1 7.5-8'],
  failed: ['M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13Z', 'M8 4.5v4.5', 'M8 11v0.5'],
};

export function icon(name, cls = 'icon') {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', `${cls} icon-${name}`);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of ICONS[name] || []) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/** Text only screen readers read. */
export function srOnly(text) {
  return h('span', { class: 'visually-hidden', text });
}
