// One execution: its summary, the graph with the path taken, and the event
// history as the AWS console shows it, each event's payloads expandable.

import {api} from '../api.js';
import {badge, errorBox, h, replace, table} from '../dom.js';
import {clock, duration, json, lastPart, time} from '../format.js';
import {colour, graphSvg, legend, svgElement} from '../graph.js';
import {analyse} from '../history.js';

const REFRESH_MS = 1000;
const HISTORY_HEADERS = ['ID', 'Type', 'Step', 'Resource', 'Started after', 'Timestamp'];

export async function executionPage(main, params, context, id) {
  if (!main.querySelector('#graph')) replace(main, h('p', {class: 'muted'}, 'Loading…'));
  const [record, svg] = await Promise.all([
    api(`/api/executions/${encodeURIComponent(id)}`),
    graphSvg().then(svgElement).catch((error) => error),
  ]);
  if (!context.active) return;
  const analysis = analyse(record);
  const graph = h('section', {class: 'graph-panel', 'aria-label': 'Graph'});
  if (svg instanceof Error) {
    graph.append(errorBox(svg));
  } else {
    colour(svg, analysis, record.status);
    graph.append(h('div', {class: 'graph', id: 'graph'}, svg), legend());
  }
  replace(main,
    h('div', {class: 'page-head'},
      h('h1', {}, 'Execution ', h('span', {class: 'mono'}, record.name)),
      badge(record.status)),
    summary(record, analysis),
    h('div', {class: 'execution-layout'},
      graph,
      h('section', {class: 'history-panel', 'aria-label': 'Event history'},
        h('div', {class: 'panel-head'}, h('h2', {}, `Events (${analysis.rows.length})`),
          h('button', {type: 'button', onclick: toggleAll}, 'Expand all')),
        table(HISTORY_HEADERS, analysis.rows.flatMap(historyRows), {class: 'data history', id: 'history'}))),
    h('div', {class: 'io'},
      payload('Execution input', record.input),
      record.output !== null && record.output !== undefined ? payload('Execution output', record.output) : null));
  if (record.status === 'RUNNING') {
    // Follow a running execution until it ends.
    const timer = setTimeout(() => {
      if (context.active) executionPage(main, params, context, id).catch(() => {});
    }, REFRESH_MS);
    context.onLeave(() => clearTimeout(timer));
  }
}

function summary(record, analysis) {
  const retries = [...analysis.states.values()].reduce((sum, state) => sum + state.retries.length, 0);
  const field = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
  return h('dl', {class: 'summary'},
    field('Message', record.message_id
      ? h('a', {href: `#/messages/${encodeURIComponent(record.message_id)}`, class: 'mono'}, record.message_id)
      : '—'),
    field('Started', h('span', {title: record.start_date}, time(record.start_date))),
    field('Stopped', h('span', {title: record.stop_date ?? ''}, time(record.stop_date))),
    field('Duration', duration(record.duration_ms)),
    field('Task attempts', `${record.task_attempts ?? '—'}${retries ? ` (${retries} retried)` : ''}`),
    record.error ? field('Error', h('span', {class: 'error-text', id: 'execution-error'}, record.error)) : null,
    record.cause ? field('Cause', h('span', {class: 'cause'}, record.cause)) : null,
    field('Execution id', h('span', {class: 'mono small'}, record.execution_id)));
}

/** A row per event and a hidden row with its payloads, shown by a click. */
function historyRows(event) {
  const detail = h('tr', {class: 'detail', hidden: true},
    h('td', {colspan: HISTORY_HEADERS.length},
      event.payloads.length
        ? event.payloads.map(([label, value]) => h('div', {class: 'payload'},
          h('h4', {}, label), h('pre', {}, json(value))))
        : h('span', {class: 'muted'}, 'No details.')));
  const toggle = () => {
    detail.hidden = !detail.hidden;
    main.setAttribute('aria-expanded', String(!detail.hidden));
  };
  const main = h('tr', {
    class: `event ${event.tone ? `t-${event.tone}` : ''}`,
    'data-type': event.type,
    'aria-expanded': 'false',
    tabindex: 0,
    onclick: toggle,
    onkeydown: (keyboard) => {
      if (keyboard.key === 'Enter' || keyboard.key === ' ') {
        keyboard.preventDefault();
        toggle();
      }
    },
  },
  h('td', {class: 'num'}, event.id),
  h('td', {}, h('span', {class: 'event-type'}, event.type),
    event.note ? h('div', {class: `note ${event.tone === 'retried' ? 'retry-note' : 'error-text'}`}, event.note) : null),
  h('td', {}, event.step),
  h('td', {title: event.resource}, lastPart(event.resource)),
  h('td', {class: 'num'}, `${event.afterMs} ms`),
  h('td', {title: event.timestamp, class: 'mono small'}, clock(event.timestamp)));
  return [main, detail];
}

function toggleAll(event) {
  const rows = [...document.querySelectorAll('#history tr.detail')];
  const open = rows.some((row) => row.hidden);
  for (const row of rows) row.hidden = !open;
  event.target.textContent = open ? 'Collapse all' : 'Expand all';
}

function payload(label, value) {
  return h('details', {class: 'payload-block'}, h('summary', {}, label), h('pre', {}, json(value)));
}
