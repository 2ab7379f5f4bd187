// Send: a notification through POST /api/messages, then followed until it
// is completed or failed, with a link to the execution that delivered it.

import {api} from '../api.js';
import {badge, errorBox, h, replace} from '../dom.js';
import {time} from '../format.js';
import {executionHref} from './executions.js';
import {messageHref} from './messages.js';

const FINAL = new Set(['completed', 'failed']);
const POLL_MS = 400;
const GIVE_UP_MS = 180_000;

export async function sendPage(main, params, context) {
  const result = h('section', {class: 'send-result', id: 'send-result', 'aria-live': 'polite'});
  const form = h('form', {class: 'send-form', id: 'send-form'},
    h('label', {}, 'Title', h('input', {name: 'title', maxlength: 256, placeholder: 'Release 1.4.0'})),
    h('label', {}, 'Message', h('textarea', {name: 'message', required: true, rows: 4, placeholder: 'Deployed to prod.'})),
    h('div', {class: 'row'},
      h('label', {}, 'Priority', h('select', {name: 'priority'},
        [[1, 'min'], [2, 'low'], [3, 'default'], [4, 'high'], [5, 'urgent']].map(([value, label]) =>
          h('option', {value, selected: value === 3}, `${value} · ${label}`)))),
      h('label', {class: 'grow'}, 'Tags', h('input', {name: 'tags', placeholder: 'rocket, prod (comma-separated)'}))),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, 'Send')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send(form, result, context);
  });
  replace(main, h('h1', {}, 'Send a notification'), form, result);
}

async function send(form, result, context) {
  const data = new FormData(form);
  const body = {message: String(data.get('message') ?? '')};
  const title = String(data.get('title') ?? '').trim();
  if (title) body.title = title;
  body.priority = Number(data.get('priority'));
  const tags = String(data.get('tags') ?? '').split(',').map((tag) => tag.trim()).filter(Boolean);
  if (tags.length) body.tags = tags;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const message = await api('/api/messages', {method: 'POST', body});
    form.reset();
    await follow(message, result, context);
  } catch (error) {
    replace(result, errorBox(error));
  } finally {
    button.disabled = false;
  }
}

/** Polls the message until it is final, showing each status it passes through. */
async function follow(message, result, context) {
  const steps = h('ol', {class: 'steps'});
  const status = h('span', {id: 'send-status'}, badge(message.status));
  const links = h('p', {class: 'links'}, h('a', {href: messageHref(message.id)}, 'Open the message'));
  replace(result, h('h2', {}, 'Sent ', h('span', {class: 'mono small'}, message.id)),
    h('p', {}, 'Status: ', status), steps, links);
  const seen = new Set();
  const note = (m) => {
    if (!seen.has(m.status)) {
      seen.add(m.status);
      steps.append(h('li', {}, badge(m.status), ' ', time(m.updated_date)));
    }
  };
  note(message);
  const started = Date.now();
  let current = message;
  while (!FINAL.has(current.status) && context.active && Date.now() - started < GIVE_UP_MS) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (!context.active) return;
    current = await api(`/api/messages/${encodeURIComponent(message.id)}`);
    replace(status, badge(current.status));
    note(current);
  }
  if (!context.active) return;
  result.dataset.final = current.status;
  if (current.error_message) result.append(h('p', {class: 'error-text'}, current.error_message));
  if (current.execution_id) {
    links.append(' · ', h('a', {href: executionHref(current.execution_id), id: 'send-execution'}, 'Open its execution'));
  } else if (!FINAL.has(current.status)) {
    links.append(' · still ', current.status, ' after three minutes');
  }
}
