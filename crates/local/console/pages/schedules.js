// Schedules: the schedules people define, newest first, 50 a page, each with
// its next fire and pause/resume/delete; and the form that adds one.

import {api, withQuery} from '../api.js';
import {badge, errorBox, h, pager, replace, table} from '../dom.js';
import {zonedTime} from '../format.js';
import {scheduleForm} from './schedule-form.js';

const PAGE_SIZE = 50;
const HEADERS = ['Name', 'Expression', 'Time zone', 'State', 'Owner', 'Next fire', ''];

/** The link to one schedule's page. */
export function scheduleHref(id) {
  return `#/schedules/${encodeURIComponent(id)}`;
}

/** Whether the API may change `schedule` (the deployment's own is changed in its configuration). */
export function changeable(schedule) {
  return schedule.owner === 'api';
}

/**
 * Pause or Resume, and Delete (after a confirm), for `schedule`; a note
 * instead for one the configuration owns. `changed(schedule)` gets the
 * schedule after a pause or resume, `deleted()` runs after a delete and
 * `failed(error)` after a refusal.
 */
export function scheduleActions(schedule, {changed, deleted, failed}) {
  if (!changeable(schedule)) {
    return h('span', {class: 'muted small', 'data-owner-note': '',
      title: 'The deployment\'s own schedule (--schedule, schedulerCron): change it there.'}, 'set by configuration');
  }
  const path = `/api/schedules/${encodeURIComponent(schedule.id)}`;
  const enabled = schedule.state === 'ENABLED';
  const run = async (button, action) => {
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      failed(error);
    } finally {
      button.disabled = false;
    }
  };
  return h('span', {class: 'row-actions'},
    h('button', {type: 'button', 'data-action': enabled ? 'pause' : 'resume', onclick: (event) =>
      run(event.currentTarget, async () => {
        changed(await api(path, {method: 'PUT', body: {state: enabled ? 'DISABLED' : 'ENABLED'}}));
      })}, enabled ? 'Pause' : 'Resume'),
    h('button', {type: 'button', class: 'danger', 'data-action': 'delete', onclick: (event) => {
      const button = event.currentTarget;
      if (!window.confirm(`Delete the schedule "${schedule.name}"? It will not fire again.`)) return;
      run(button, async () => {
        await api(path, {method: 'DELETE'});
        deleted();
      });
    }}, 'Delete'));
}

/** One row of the list; pausing or resuming redraws it, deleting removes it. */
function scheduleRow(schedule, status) {
  const next = schedule.next_fire_times?.[0];
  const tr = h('tr', {'data-schedule': schedule.id, 'data-state': schedule.state, 'data-owner': schedule.owner},
    h('td', {}, h('a', {href: scheduleHref(schedule.id)}, schedule.name)),
    h('td', {class: 'mono small'}, schedule.expression),
    h('td', {}, schedule.timezone),
    h('td', {}, badge(schedule.state)),
    h('td', {}, schedule.owner),
    h('td', {class: 'next-fire', title: next ?? ''}, next ? zonedTime(next, schedule.timezone) : '—'),
    h('td', {}, scheduleActions(schedule, {
      changed: (updated) => {
        replace(status);
        tr.replaceWith(scheduleRow(updated, status));
      },
      deleted: () => {
        tr.remove();
        replace(status, `Deleted "${schedule.name}".`);
      },
      failed: (error) => replace(status, errorBox(error)),
    })));
  return tr;
}

export async function schedulesPage(main, params, context) {
  const list = h('div', {class: 'list'}, h('p', {class: 'muted'}, 'Loading…'));
  const status = h('div', {class: 'status-line', id: 'schedules-status', 'aria-live': 'polite'});
  const load = async () => {
    const page = await api(withQuery('/api/schedules', {limit: PAGE_SIZE, cursor: params.get('cursor')}));
    if (!context.active) return;
    replace(list,
      page.items.length
        ? table(HEADERS, page.items.map((schedule) => scheduleRow(schedule, status)), {class: 'data', id: 'schedules'})
        : h('p', {class: 'empty'}, 'No schedules yet. Add one below.'),
      pager('/schedules', params, page.next_cursor, page.items.length));
  };
  const form = scheduleForm(context, async (created) => {
    replace(status, 'Added ', h('a', {href: scheduleHref(created.id)}, created.name), '.');
    try {
      await load();
    } catch (error) {
      replace(status, errorBox(error));
    }
  });
  replace(main,
    h('div', {class: 'page-head'}, h('h1', {}, 'Schedules')),
    status,
    list,
    h('h2', {}, 'Add a schedule'),
    form);
  await load();
}
