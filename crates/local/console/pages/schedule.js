// One schedule: its fields, its next fire times, pause/resume/delete, and
// the messages its fires made (GET /api/messages?schedule_id=…), followed
// while the first page is shown.

import {api, withQuery} from '../api.js';
import {badge, errorBox, h, navigate, pager, replace, table} from '../dom.js';
import {time, zonedTime} from '../format.js';
import {MESSAGE_HEADERS, messageRow} from './messages.js';
import {changeable, scheduleActions} from './schedules.js';

const PAGE_SIZE = 50;
/** How often the first page of messages is read again. */
const REFRESH_MS = 2000;

/** The schedule's head, fields and next fire times (everything but its messages). */
function details(schedule, status, redraw) {
  const zone = schedule.timezone;
  const notification = schedule.notification ?? {};
  const times = schedule.next_fire_times ?? [];
  const field = (label, value) => [h('dt', {}, label), h('dd', {}, value ?? '—')];
  const zoned = (at) => (at ? `${zonedTime(at, zone)} ${zone}` : null);
  return [
    h('div', {class: 'page-head'},
      h('h1', {}, schedule.name), badge(schedule.state),
      h('div', {class: 'actions'}, scheduleActions(schedule, {
        changed: redraw,
        deleted: () => navigate('/schedules', new URLSearchParams()),
        failed: (error) => replace(status, errorBox(error)),
      }))),
    status,
    h('dl', {class: 'summary', id: 'schedule-fields', 'data-state': schedule.state},
      field('Id', h('span', {class: 'mono'}, schedule.id)),
      field('Expression', h('span', {class: 'mono'}, schedule.expression)),
      field('Time zone', zone),
      field('State', schedule.state),
      field('Owner', changeable(schedule)
        ? schedule.owner
        : `${schedule.owner}: the deployment's own schedule (--schedule, schedulerCron), changed there`),
      field('Start', zoned(schedule.start_date)),
      field('End', zoned(schedule.end_date)),
      field('Created', time(schedule.created_date)),
      field('Updated', time(schedule.updated_date)),
      field('Title', notification.title),
      field('Message', h('span', {class: 'pre-line'}, notification.message)),
      field('Priority', notification.priority),
      field('Tags', (notification.tags ?? []).join(', ') || '—')),
    h('h2', {}, `Next fire times, in ${zone}`),
    times.length
      ? h('ol', {class: 'fire-times', id: 'schedule-next'}, times.map((at) =>
        h('li', {title: `${at} (${time(at)} in this browser's time)`}, zonedTime(at, zone))))
      : h('p', {class: 'muted', id: 'schedule-next'},
        schedule.state === 'DISABLED' ? 'None while it is paused.' : 'None: it fires no more.'),
  ];
}

export async function schedulePage(main, params, context, id) {
  replace(main, h('p', {class: 'muted'}, 'Loading…'));
  const schedule = await api(`/api/schedules/${encodeURIComponent(id)}`);
  if (!context.active) return;
  const head = h('div', {id: 'schedule-details'});
  const status = h('div', {class: 'status-line', id: 'schedule-status', 'aria-live': 'polite'});
  const messages = h('div', {class: 'list', id: 'schedule-messages'}, h('p', {class: 'muted'}, 'Loading…'));
  const redraw = (current) => {
    replace(status);
    replace(head, details(current, status, redraw));
  };
  redraw(schedule);
  replace(main, head, h('h2', {}, 'Messages'), messages);

  const cursor = params.get('cursor');
  const load = async () => {
    const page = await api(withQuery('/api/messages', {schedule_id: id, limit: PAGE_SIZE, cursor}));
    if (!context.active) return;
    replace(messages,
      page.items.length
        ? table(MESSAGE_HEADERS, page.items.map(messageRow), {class: 'data', id: 'schedule-message-rows'})
        : h('p', {class: 'empty'}, 'No fire of this schedule has made a message yet.'),
      pager(`/schedules/${encodeURIComponent(id)}`, params, page.next_cursor, page.items.length));
  };
  await load();
  if (cursor) return;
  // New fires appear on the first page: read it again until the page is left.
  let timer = null;
  const follow = () => {
    timer = setTimeout(async () => {
      try {
        await load();
      } catch (error) {
        if (context.active) replace(messages, errorBox(error));
      }
      if (context.active) follow();
    }, REFRESH_MS);
  };
  context.onLeave(() => clearTimeout(timer));
  follow();
}
