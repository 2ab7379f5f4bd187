// One message: its fields, its notification, and its executions.

import {api, withQuery} from '../api.js';
import {badge, h, replace, table} from '../dom.js';
import {json, time} from '../format.js';
import {EXECUTION_HEADERS, executionHref, executionRow} from './executions.js';

const FINAL = new Set(['completed', 'failed']);
const REFRESH_MS = 1000;

export async function messagePage(main, params, context, id) {
  if (!main.querySelector('#message-fields')) replace(main, h('p', {class: 'muted'}, 'Loading…'));
  const [message, executions] = await Promise.all([
    api(`/api/messages/${encodeURIComponent(id)}`),
    api(withQuery('/api/executions', {message_id: id, limit: 100})).catch(() => ({items: []})),
  ]);
  if (!context.active) return;
  const payload = message.payload ?? {};
  const field = (label, value) => [h('dt', {}, label), h('dd', {}, value ?? '—')];
  replace(main,
    h('div', {class: 'page-head'},
      h('h1', {}, payload.title || 'Message'), badge(message.status)),
    h('dl', {class: 'summary', id: 'message-fields'},
      field('Id', h('span', {class: 'mono'}, message.id)),
      field('Message', h('span', {class: 'pre-line'}, payload.message)),
      field('Priority', payload.priority),
      field('Tags', (payload.tags ?? []).join(', ') || '—'),
      payload.click ? field('Click', h('a', {href: payload.click, rel: 'noopener noreferrer', target: '_blank'}, payload.click)) : null,
      field('Type', message.message_type),
      field('Stage', message.stage),
      field('Created by', message.created_by),
      field('Created', time(message.created_date)),
      field('Updated', time(message.updated_date)),
      field('Delivered', time(message.delivered_at)),
      field('Delivery attempts', message.delivery_attempts),
      field('ntfy id', message.ntfy_message_id),
      message.error_message ? field('Error', h('span', {class: 'error-text'}, message.error_message)) : null,
      field('Last execution', message.execution_id
        ? h('a', {href: executionHref(message.execution_id), class: 'mono small'}, message.execution_id)
        : null)),
    h('h2', {}, `Executions (${executions.items.length})`),
    executions.items.length
      ? table(EXECUTION_HEADERS, executions.items.map(executionRow), {class: 'data', id: 'message-executions'})
      : h('p', {class: 'empty'}, 'No execution has worked on this message yet.'),
    h('details', {class: 'payload-block'}, h('summary', {}, 'Raw message'), h('pre', {}, json(message))));
  if (!FINAL.has(message.status)) {
    // Follow a message still on its way.
    const timer = setTimeout(() => {
      if (context.active) messagePage(main, params, context, id).catch(() => {});
    }, REFRESH_MS);
    context.onLeave(() => clearTimeout(timer));
  }
}
