// Executions: newest first, filtered by status, 50 a page.

import {api, withQuery} from '../api.js';
import {badge, filters, h, pager, replace, table} from '../dom.js';
import {duration, shortId, time} from '../format.js';

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const PAGE_SIZE = 50;

/** The link to one execution's page. */
export function executionHref(id) {
  return `#/executions/${encodeURIComponent(id)}`;
}

/** One row of an execution list (also used on a message's page). */
export function executionRow(execution) {
  return h('tr', {'data-execution': execution.execution_id},
    h('td', {}, badge(execution.status)),
    h('td', {}, h('a', {href: executionHref(execution.execution_id), title: execution.execution_id}, execution.name)),
    h('td', {}, execution.message_id
      ? h('a', {href: `#/messages/${encodeURIComponent(execution.message_id)}`, class: 'mono', title: execution.message_id}, shortId(execution.message_id))
      : '—'),
    h('td', {title: execution.start_date}, time(execution.start_date)),
    h('td', {class: 'num'}, duration(execution.duration_ms)),
    h('td', {class: 'num'}, execution.task_attempts ?? '—'),
    h('td', {class: 'error-text'}, execution.error ?? ''));
}

/** The header of an execution list. */
export const EXECUTION_HEADERS = ['Status', 'Name', 'Message', 'Started', 'Duration', 'Task attempts', 'Error'];

export async function executionsPage(main, params, context) {
  const list = h('div', {class: 'list'}, h('p', {class: 'muted'}, 'Loading…'));
  replace(main,
    h('div', {class: 'page-head'}, h('h1', {}, 'Executions'),
      filters('/executions', params, [['status', 'Status', STATUSES]])),
    list);
  const page = await api(withQuery('/api/executions', {
    status: params.get('status'),
    limit: PAGE_SIZE,
    cursor: params.get('cursor'),
  }));
  if (!context.active) return;
  replace(list,
    page.items.length
      ? table(EXECUTION_HEADERS, page.items.map(executionRow), {class: 'data', id: 'executions'})
      : h('p', {class: 'empty'}, 'No executions yet. ', h('a', {href: '#/send'}, 'Send a notification'), '.'),
    pager('/executions', params, page.next_cursor, page.items.length));
}
