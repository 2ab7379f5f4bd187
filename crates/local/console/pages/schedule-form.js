// The form that adds a schedule (POST /api/schedules), with a live preview
// of its next five fire times (POST /api/schedules/preview) that follows the
// expression, zone and dates as they are typed, or shows why the API would
// refuse them.

import {api} from '../api.js';
import {errorBox, h, replace} from '../dom.js';
import {time, zonedTime} from '../format.js';

/** How long typing must pause before the preview is asked for. */
const PREVIEW_DELAY_MS = 300;
/** The fields the preview depends on. */
const TIMING = ['expression', 'timezone', 'start_date', 'end_date'];
const PRIORITIES = [[1, 'min'], [2, 'low'], [3, 'default'], [4, 'high'], [5, 'urgent']];

/** The browser's own zone, the form's default. */
function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The zones the browser knows, UTC first, for the zone field's suggestions. */
function zones() {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...known.filter((zone) => zone !== 'UTC')];
}

/** A datetime-local value (this browser's time) as RFC 3339 UTC; undefined when empty. */
function instant(value) {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

/** The text of the form field `name`, trimmed. */
function text(data, name) {
  return String(data.get(name) ?? '').trim();
}

/** The timing fields, as POST /api/schedules and its preview take them. */
function timing(form) {
  const data = new FormData(form);
  const body = {expression: text(data, 'expression')};
  const zone = text(data, 'timezone');
  if (zone) body.timezone = zone;
  const start = instant(text(data, 'start_date'));
  if (start) body.start_date = start;
  const end = instant(text(data, 'end_date'));
  if (end) body.end_date = end;
  return body;
}

/** The notification each fire sends, as POST /api/messages takes it. */
function notification(form) {
  const data = new FormData(form);
  const body = {message: String(data.get('message') ?? '')};
  const title = text(data, 'title');
  if (title) body.title = title;
  body.priority = Number(data.get('priority'));
  const tags = text(data, 'tags').split(',').map((tag) => tag.trim()).filter(Boolean);
  if (tags.length) body.tags = tags;
  return body;
}

/** Marks the timing field an API error names (`expression: …`) as invalid, and no other. */
function markInvalid(form, message) {
  const field = TIMING.find((name) => message?.startsWith(`${name}:`));
  for (const name of TIMING) {
    const input = form.elements.namedItem(name);
    if (name === field) input?.setAttribute('aria-invalid', 'true');
    else input?.removeAttribute('aria-invalid');
  }
}

/**
 * The add form. `created(schedule)` runs with the API's answer after a
 * schedule is added; `context` stops the preview when the page is left.
 */
export function scheduleForm(context, created) {
  const preview = h('section', {class: 'preview', id: 'schedule-preview', 'aria-live': 'polite'});
  const status = h('div', {id: 'schedule-form-status'});
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Add schedule');
  const form = h('form', {class: 'send-form schedule-form', id: 'schedule-form'},
    h('label', {}, 'Name', h('input', {name: 'name', required: true, maxlength: 128, placeholder: 'Stand-up reminder'})),
    h('div', {class: 'row'},
      h('label', {class: 'grow'}, 'Expression',
        h('input', {name: 'expression', required: true, class: 'mono', autocomplete: 'off', spellcheck: 'false',
          placeholder: 'cron(0 8 ? * MON-FRI *)'})),
      h('label', {}, 'Time zone',
        h('input', {name: 'timezone', list: 'schedule-zones', autocomplete: 'off', value: browserZone()}))),
    h('datalist', {id: 'schedule-zones'}, zones().map((zone) => h('option', {value: zone}))),
    h('p', {class: 'hint'}, 'As EventBridge Scheduler takes them: cron(minutes hours day-of-month month day-of-week year), '
      + 'rate(5 minutes) or at(2030-01-01T09:00:00), read in the time zone.'),
    h('div', {class: 'row'},
      h('label', {class: 'grow'}, 'Start (optional, this browser\'s time)', h('input', {type: 'datetime-local', name: 'start_date'})),
      h('label', {class: 'grow'}, 'End (optional, this browser\'s time)', h('input', {type: 'datetime-local', name: 'end_date'}))),
    preview,
    h('fieldset', {},
      h('legend', {}, 'Notification each fire sends'),
      h('label', {}, 'Title', h('input', {name: 'title', maxlength: 256, placeholder: 'Stand-up'})),
      h('label', {}, 'Message', h('textarea', {name: 'message', required: true, rows: 3, placeholder: 'In five minutes.'})),
      h('div', {class: 'row'},
        h('label', {}, 'Priority', h('select', {name: 'priority'},
          PRIORITIES.map(([value, label]) => h('option', {value, selected: value === 3}, `${value} · ${label}`)))),
        h('label', {class: 'grow'}, 'Tags', h('input', {name: 'tags', placeholder: 'calendar, team (comma-separated)'})))),
    h('div', {class: 'actions'}, submit),
    status);

  const showNothing = () => {
    preview.dataset.state = 'empty';
    replace(preview, h('p', {class: 'muted'}, 'Type an expression to see its next fire times.'));
    markInvalid(form, null);
  };
  let timer = null;
  let asked = 0;
  const refresh = async () => {
    const body = timing(form);
    asked += 1;
    const ask = asked;
    if (!body.expression) {
      showNothing();
      return;
    }
    preview.dataset.state = 'loading';
    try {
      const answer = await api('/api/schedules/preview', {method: 'POST', body});
      if (ask !== asked || !context.active) return;
      const zone = body.timezone ?? 'UTC';
      const times = answer.next_fire_times ?? [];
      replace(preview,
        h('h3', {}, `Next fire times, in ${zone}`),
        times.length
          ? h('ol', {class: 'fire-times', id: 'preview-times'}, times.map((at) =>
            h('li', {title: `${at} (${time(at)} in this browser's time)`}, zonedTime(at, zone))))
          : h('p', {class: 'muted'}, 'None: it would end before it fires again.'));
      preview.dataset.state = 'ok';
      markInvalid(form, null);
    } catch (error) {
      if (ask !== asked || !context.active) return;
      replace(preview, h('p', {class: 'error-text', id: 'preview-error', role: 'alert'}, error.message));
      preview.dataset.state = 'error';
      markInvalid(form, error.message);
    }
  };
  form.addEventListener('input', (event) => {
    if (!TIMING.includes(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, PREVIEW_DELAY_MS);
  });
  context.onLeave(() => clearTimeout(timer));
  showNothing();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {name: text(new FormData(form), 'name'), ...timing(form), notification: notification(form)};
    submit.disabled = true;
    try {
      const schedule = await api('/api/schedules', {method: 'POST', body});
      form.reset();
      clearTimeout(timer);
      asked += 1;
      showNothing();
      replace(status);
      await created(schedule);
    } catch (error) {
      replace(status, errorBox(error));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
