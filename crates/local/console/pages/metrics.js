// Metrics: messages per hour by status (24 h and 7 d), success rate,
// delivery latency percentiles and attempts per delivery.

import {api} from '../api.js';
import {errorBox, h, replace} from '../dom.js';
import {bars, ring, stackedBars} from '../charts.js';
import {duration, percent} from '../format.js';

const SERIES_KEYS = ['completed', 'failed', 'deferred', 'processing', 'queued', 'created'];
const REFRESH_MS = 15_000;

function card(label, value, id) {
  return h('div', {class: 'card', id}, h('div', {class: 'card-value'}, value), h('div', {class: 'card-label'}, label));
}

function panel(titleText, content, id) {
  return h('section', {class: 'panel', id}, h('h2', {}, titleText), content);
}

function seriesKey() {
  return h('div', {class: 'legend series'}, SERIES_KEYS.map((key) =>
    h('span', {class: `legend-item k-${key}`}, h('i', {'aria-hidden': 'true'}), key)));
}

/** A chart from a promise, or the error in its place. */
async function settle(promise, draw) {
  try {
    return draw(await promise);
  } catch (error) {
    return errorBox(error);
  }
}

async function draw(main, context) {
  const metrics = api('/api/metrics');
  const day = api('/api/metrics/series?hours=24');
  const week = api('/api/metrics/series?hours=168');
  const [summary, dayChart, weekChart] = await Promise.all([
    settle(metrics, (m) => m),
    settle(day, (series) => stackedBars(series.buckets, SERIES_KEYS, {every: 3, name: 'per-hour-24h'})),
    settle(week, (series) => stackedBars(series.buckets, SERIES_KEYS, {
      every: 24, name: 'per-hour-7d', label: (date) => `${date.getMonth() + 1}/${date.getDate()}`,
    })),
  ]);
  if (!context.active) return;
  if (summary instanceof Node) {
    replace(main, h('h1', {}, 'Metrics'), summary);
    return;
  }
  const latency = summary.delivery_latency_ms ?? {};
  const histogram = Object.entries(summary.attempts_histogram ?? {})
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([attempts, count]) => ({label: `${attempts}×`, value: count}));
  const byStatus = summary.by_status ?? {};
  replace(main,
    h('div', {class: 'page-head'}, h('h1', {}, 'Metrics'),
      h('button', {type: 'button', onclick: () => draw(main, context)}, 'Refresh')),
    h('div', {class: 'cards'},
      card(`messages, last ${summary.window_days ?? 30} days`, summary.total ?? 0, 'metric-total'),
      card('completed', byStatus.completed ?? 0),
      card('failed', byStatus.failed ?? 0),
      card('deferred', byStatus.deferred ?? 0),
      card('success rate', percent(summary.success_rate), 'metric-success'),
      card('median latency', duration(latency.p50)),
      card('mean attempts', summary.mean_delivery_attempts?.toFixed?.(2) ?? '—')),
    panel('Messages per hour, last 24 hours', [dayChart, seriesKey()], 'chart-24h'),
    panel('Messages per hour, last 7 days', [weekChart], 'chart-7d'),
    h('div', {class: 'panels'},
      panel('Success rate', ring(summary.success_rate, {name: 'success-rate'}), 'chart-success'),
      panel(`Delivery latency (${latency.count ?? 0} delivered)`, bars([
        {label: 'p50', value: latency.p50},
        {label: 'p90', value: latency.p90},
        {label: 'p99', value: latency.p99},
        {label: 'max', value: latency.max},
      ], {name: 'latency', unit: ' ms'}), 'chart-latency'),
      panel('Attempts per delivery', histogram.length
        ? bars(histogram, {name: 'attempts'})
        : h('p', {class: 'empty'}, 'No finished deliveries yet.'), 'chart-attempts')));
}

export async function metricsPage(main, params, context) {
  replace(main, h('h1', {}, 'Metrics'), h('p', {class: 'muted'}, 'Loading…'));
  await draw(main, context);
  const timer = setInterval(() => draw(main, context), REFRESH_MS);
  context.onLeave(() => clearInterval(timer));
}
