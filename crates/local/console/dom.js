// Building DOM without innerHTML: every text goes through textContent, so
// message titles and error causes can never become markup.

/**
 * Creates an element: h('a', {href: '#/x', class: 'y'}, 'text', child, …).
 * Attributes starting with "on" are event listeners; null/false are skipped.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/** Appends children: strings become text nodes, arrays are flattened, null skipped. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces everything inside `parent`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A status badge: <span class="badge s-completed">completed</span>. */
export function badge(status) {
  const text = String(status ?? 'unknown');
  return h('span', {class: `badge s-${text.toLowerCase()}`}, text);
}

/** An error box for an API error or any Error. */
export function errorBox(error) {
  const code = error?.code ? `${error.code}: ` : '';
  return h('div', {class: 'error-box', role: 'alert'}, code + (error?.message ?? String(error)));
}

/** A <table> with a header row and the given body rows. */
export function table(headers, rows, attributes = {}) {
  return h('table', attributes,
    h('thead', {}, h('tr', {}, headers.map((header) => h('th', {scope: 'col'}, header)))),
    h('tbody', {}, rows));
}

/** A <select> with "any" first; `current` is selected. */
export function select(name, label, options, current, onchange) {
  return h('label', {class: 'filter'}, label + ' ',
    h('select', {name, onchange},
      h('option', {value: ''}, 'any'),
      options.map((option) => h('option', {value: option, selected: option === current}, option))));
}

/** Previous cursors per list and filter, so "Newer" can step back. */
const cursorStacks = new Map();

/** Navigates to `path` with `params` (empty values dropped). */
export function navigate(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of params) if (value) query.set(name, value);
  const text = query.toString();
  location.hash = `#${path}${text ? `?${text}` : ''}`;
}

/**
 * "← Newer" / "Older →" buttons for a cursor-paged list at `path`. The
 * cursor is in the hash; the cursors before it are remembered in memory.
 */
export function pager(path, params, nextCursor, count) {
  const filters = new URLSearchParams(params);
  filters.delete('cursor');
  const key = `${path}?${filters}`;
  if (!cursorStacks.has(key)) cursorStacks.set(key, []);
  const stack = cursorStacks.get(key);
  const cursor = params.get('cursor') ?? '';
  if (!cursor) stack.length = 0;
  const go = (next) => {
    const target = new URLSearchParams(filters);
    if (next) target.set('cursor', next);
    navigate(path, target);
  };
  return h('nav', {class: 'pager', 'aria-label': 'Pages'},
    h('button', {type: 'button', disabled: !cursor, onclick: () => go(stack.pop() ?? '')}, '← Newer'),
    h('span', {class: 'muted'}, `page ${stack.length + 1} · ${count} shown`),
    h('button', {type: 'button', disabled: !nextCursor, 'data-next': '', onclick: () => {
      stack.push(cursor);
      go(nextCursor);
    }}, 'Older →'));
}

/** Filter selects that reset the cursor when changed. */
export function filters(path, params, definitions) {
  return h('div', {class: 'filters'}, definitions.map(([name, label, options]) =>
    select(name, label, options, params.get(name) ?? '', (event) => {
      const next = new URLSearchParams(params);
      next.delete('cursor');
      next.set(name, event.target.value);
      navigate(path, next);
    })));
}
