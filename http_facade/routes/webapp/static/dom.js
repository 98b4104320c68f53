/**
 * DOM helpers of the web app.  User text only ever becomes text nodes (`textContent`):
 * nothing here parses HTML.
 * @module
 */

let nextId = 0;

/** A fresh element id. @param {string} prefix */
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/**
 * Create an element.  `props`: `text` (textContent), `class`, `dataset`, `on<event>`
 * listeners, and attributes (`true` → empty attribute; null/undefined/false → none).
 * Children are nodes or strings (strings become text nodes).
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') element.textContent = String(value);
    else if (key === 'class') element.className = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/**
 * A labelled form control: `[label, control]`.
 * @param {string} label
 * @param {HTMLElement} control
 */
export function labelled(label, control) {
  if (!control.id) control.id = uid('field');
  return [h('label', { for: control.id }, label), control];
}

/** `https://…` URLs only (GIFs from other hosts). @param {unknown} url */
export function httpsUrl(url) {
  if (typeof url !== 'string') return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

/** Same-origin path URLs only (signed file links). @param {unknown} url */
export function localUrl(url) {
  if (typeof url !== 'string' || !url.startsWith('/') || url.startsWith('//')) return null;
  return url;
}

/** A short local time for a millisecond timestamp. @param {number} ms */
export function timeElement(ms) {
  const date = new Date(ms);
  return h('time', { datetime: date.toISOString() },
    date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
}
