// Small inline-SVG charts: stacked hourly bars, labelled bars and a ring.
// Colours come from the stylesheet (classes s-<status>, bar), never from here.

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) {
    if (child === null || child === undefined) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

const title = (text) => svg('title', {}, text);

/** A round number at or above `value` (1, 2, 5 × 10^n), at least 1. */
function niceMax(value) {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

const pad = (n) => String(n).padStart(2, '0');

/**
 * Messages per hour, one stacked bar per bucket, one segment per status in
 * `keys`. Labels the x axis every `every` buckets with `label(date)`.
 */
export function stackedBars(buckets, keys, {every = 3, label, name = 'chart'} = {}) {
  const width = 1000;
  const height = 200;
  const left = 36;
  const bottom = 24;
  const top = 8;
  const plotWidth = width - left - 8;
  const plotHeight = height - top - bottom;
  const totals = buckets.map((bucket) => keys.reduce((sum, key) => sum + (bucket.counts[key] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const slot = plotWidth / Math.max(1, buckets.length);
  const barWidth = Math.max(1, slot * 0.72);
  const y = (value) => top + plotHeight - (value / max) * plotHeight;
  const chart = svg('svg', {class: `chart ${name}`, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `${name}: ${totals.reduce((a, b) => a + b, 0)} messages`});
  for (let i = 0; i <= 4; i += 1) {
    const value = (max / 4) * i;
    chart.append(svg('line', {class: 'grid', x1: left, x2: width - 8, y1: y(value), y2: y(value)}),
      svg('text', {class: 'axis', x: left - 6, y: y(value) + 4, 'text-anchor': 'end'}, String(Math.round(value * 10) / 10)));
  }
  buckets.forEach((bucket, index) => {
    const x = left + index * slot + (slot - barWidth) / 2;
    const date = new Date(bucket.start);
    const when = `${date.getMonth() + 1}/${date.getDate()} ${pad(date.getHours())}:00`;
    let base = 0;
    for (const key of keys) {
      const count = bucket.counts[key] ?? 0;
      if (!count) continue;
      chart.append(svg('rect', {class: `seg s-${key}`, x, width: barWidth, y: y(base + count), height: y(base) - y(base + count)},
        title(`${when}: ${count} ${key}`)));
      base += count;
    }
    if (index % every === 0) {
      chart.append(svg('text', {class: 'axis', x: x + barWidth / 2, y: height - 6, 'text-anchor': 'middle'},
        label ? label(date) : `${pad(date.getHours())}h`));
    }
  });
  return chart;
}

/** Vertical bars with a label under each and the value above. */
export function bars(items, {name = 'bars', unit = ''} = {}) {
  const width = 360;
  const height = 180;
  const bottom = 22;
  const top = 18;
  const plotHeight = height - top - bottom;
  const max = niceMax(Math.max(0, ...items.map((item) => item.value ?? 0)));
  const slot = (width - 16) / Math.max(1, items.length);
  const barWidth = Math.min(56, slot * 0.6);
  const chart = svg('svg', {class: `chart ${name}`, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': name});
  chart.append(svg('line', {class: 'grid', x1: 8, x2: width - 8, y1: top + plotHeight, y2: top + plotHeight}));
  items.forEach((item, index) => {
    const value = item.value ?? 0;
    const barHeight = (value / max) * plotHeight;
    const x = 8 + index * slot + (slot - barWidth) / 2;
    const text = item.value === null || item.value === undefined ? '—' : `${value}${unit}`;
    chart.append(
      svg('rect', {class: `bar ${item.class ?? ''}`, x, width: barWidth, y: top + plotHeight - barHeight, height: barHeight},
        title(`${item.label}: ${text}`)),
      svg('text', {class: 'value', x: x + barWidth / 2, y: top + plotHeight - barHeight - 5, 'text-anchor': 'middle'}, text),
      svg('text', {class: 'axis', x: x + barWidth / 2, y: height - 6, 'text-anchor': 'middle'}, item.label));
  });
  return chart;
}

/** A ring showing `rate` (0–1) with the percentage in the middle. */
export function ring(rate, {name = 'ring'} = {}) {
  const radius = 52;
  const circumference = 2 * Math.PI * radius;
  const known = rate !== null && rate !== undefined;
  const shown = known ? rate : 0;
  return svg('svg', {class: `chart ${name}`, viewBox: '0 0 140 140', role: 'img',
    'aria-label': known ? `${name}: ${(rate * 100).toFixed(1)} %` : `${name}: no deliveries yet`},
  svg('circle', {class: 'ring-track', cx: 70, cy: 70, r: radius}),
  svg('circle', {class: 'ring-value', cx: 70, cy: 70, r: radius, transform: 'rotate(-90 70 70)',
    'stroke-dasharray': `${shown * circumference} ${circumference}`}),
  svg('text', {class: 'ring-text', x: 70, y: 76, 'text-anchor': 'middle'}, known ? `${(rate * 100).toFixed(rate === 1 ? 0 : 1)}%` : '—'));
}
