// Dead letters: what the queue gave up on, and a redrive (selected or all).

import {api} from '../api.js';
import {errorBox, h, replace, table} from '../dom.js';
import {time} from '../format.js';
import {messageHref} from './messages.js';

export async function dlqPage(main, params, context) {
  replace(main, h('h1', {}, 'Dead letters'), h('p', {class: 'muted'}, 'Loading…'));
  const list = await api('/api/dlq');
  if (!context.active) return;
  const status = h('p', {class: 'status-line', id: 'dlq-status', 'aria-live': 'polite'});
  const redrive = async (ids) => {
    try {
      const answer = await api('/api/dlq/redrive', {method: 'POST', body: ids ? {ids} : undefined});
      await dlqPage(main, params, context);
      main.querySelector('#dlq-status')?.append(`Redriven: ${answer.redriven}.`);
    } catch (error) {
      replace(status, errorBox(error));
    }
  };
  const depth = list.depth ?? {};
  const rows = list.items.map((item) => h('tr', {'data-dead-letter': item.id},
    h('td', {}, h('input', {type: 'checkbox', value: item.id, 'aria-label': `select ${item.id}`})),
    h('td', {class: 'mono small'}, item.id),
    h('td', {}, item.message_id ? h('a', {href: messageHref(item.message_id), class: 'mono small'}, item.message_id) : '—'),
    h('td', {class: 'num'}, item.receive_count),
    h('td', {title: item.sent_at}, time(item.sent_at)),
    h('td', {title: item.dead_at}, time(item.dead_at))));
  const selected = () => [...main.querySelectorAll('#dead-letters input:checked')].map((box) => box.value);
  replace(main,
    h('div', {class: 'page-head'}, h('h1', {}, 'Dead letters'),
      h('div', {class: 'actions'},
        h('button', {type: 'button', disabled: !rows.length, onclick: () => {
          const ids = selected();
          if (ids.length) redrive(ids);
          else replace(status, 'Select dead letters first, or redrive all.');
        }}, 'Redrive selected'),
        h('button', {type: 'button', class: 'primary', id: 'redrive-all', disabled: !rows.length, onclick: () => redrive(null)}, 'Redrive all'))),
    h('p', {class: 'muted'}, `Queue: ${depth.visible ?? 0} waiting, ${depth.in_flight ?? 0} in flight, ${depth.dead ?? 0} dead.`),
    status,
    rows.length
      ? table(['', 'Record', 'Message', 'Receives', 'Sent', 'Dead since'], rows, {class: 'data', id: 'dead-letters'})
      : h('p', {class: 'empty'}, 'The dead-letter queue is empty.'));
}
