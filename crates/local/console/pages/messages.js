// Messages: newest first, filtered by status and stage, 50 a page.

import {api, withQuery} from '../api.js';
import {badge, filters, h, pager, replace, table} from '../dom.js';
import {shortId, time} from '../format.js';

const STATUSES = ['created', 'queued', 'processing', 'deferred', 'completed', 'failed'];
const STAGES = ['dev', 'stage', 'prod'];
const PAGE_SIZE = 50;

/** The link to one message's page. */
export function messageHref(id) {
  return `#/messages/${encodeURIComponent(id)}`;
}

/** One row of a message list (also used on a schedule's page). */
export function messageRow(message) {
  const payload = message.payload ?? {};
  const text = payload.title ? `${payload.title} — ${payload.message ?? ''}` : payload.message ?? '';
  return h('tr', {'data-message': message.id},
    h('td', {}, badge(message.status)),
    h('td', {}, h('a', {href: messageHref(message.id), class: 'mono', title: message.id}, shortId(message.id))),
    h('td', {class: 'clip', title: text}, text),
    h('td', {}, message.message_type),
    h('td', {}, message.stage),
    h('td', {title: message.created_date}, time(message.created_date)),
    h('td', {class: 'num'}, message.delivery_attempts));
}

/** The header of a message list. */
export const MESSAGE_HEADERS = ['Status', 'Id', 'Notification', 'Type', 'Stage', 'Created', 'Attempts'];

export async function messagesPage(main, params, context) {
  const list = h('div', {class: 'list'}, h('p', {class: 'muted'}, 'Loading…'));
  replace(main,
    h('div', {class: 'page-head'}, h('h1', {}, 'Messages'),
      filters('/messages', params, [['status', 'Status', STATUSES], ['stage', 'Stage', STAGES]])),
    list);
  const page = await api(withQuery('/api/messages', {
    status: params.get('status'),
    stage: params.get('stage'),
    limit: PAGE_SIZE,
    cursor: params.get('cursor'),
  }));
  if (!context.active) return;
  replace(list,
    page.items.length
      ? table(MESSAGE_HEADERS, page.items.map(messageRow),
        {class: 'data', id: 'messages'})
      : h('p', {class: 'empty'}, 'No messages match. ', h('a', {href: '#/send'}, 'Send one'), '.'),
    pager('/messages', params, page.next_cursor, page.items.length));
}
