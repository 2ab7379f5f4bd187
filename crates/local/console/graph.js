// The state machine graph: the server's SVG (rez-graph), inlined, with an
// execution's path marked by classes the stylesheet colours.

import {api} from './api.js';
import {h} from './dom.js';

let svgText = null;

/** The graph SVG text, fetched once per page load. */
export async function graphSvg() {
  if (svgText === null) {
    svgText = api('/api/statemachine/graph.svg', {text: true, accept: 'image/svg+xml'});
    svgText.catch(() => {
      svgText = null;
    });
  }
  return svgText;
}

/** Parses SVG text as XML (never as HTML) and adopts it into the page. */
export function svgElement(text) {
  const parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = parsed.documentElement;
  if (root.nodeName !== 'svg' || parsed.querySelector('parsererror')) {
    throw new Error('the graph is not a valid SVG document');
  }
  const svg = document.importNode(root, true);
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  return svg;
}

const attribute = (value) => `"${CSS.escape(value)}"`;

/** The `g.transition` drawn for a transition, preferring the edge of the right kind. */
function transitionGroup(svg, {from, to, kind}) {
  const candidates = [...svg.querySelectorAll(`path.edge[data-from=${attribute(from)}][data-to=${attribute(to)}]`)];
  const preferred = candidates.find((path) => (kind === 'catch') === (path.dataset.kind === 'catch'));
  return (preferred ?? candidates[0])?.parentNode ?? null;
}

/**
 * Marks states (st-succeeded, st-failed, st-caught, st-running, st-not-reached,
 * plus st-retried) and transitions (tr-taken, tr-failure) from an analysis.
 */
export function colour(svg, analysis, executionStatus) {
  svg.classList.add('coloured');
  for (const group of svg.querySelectorAll('g.state')) {
    const state = analysis.states.get(group.dataset.state);
    const status = state?.status ?? 'not-reached';
    group.classList.add(`st-${status}`);
    group.dataset.status = status;
    if (state?.retries.length) {
      group.classList.add('st-retried');
      group.dataset.retries = String(state.retries.length);
    }
    if (state?.failurePath) group.classList.add('st-failure-path');
    const title = group.querySelector(':scope > title');
    if (title) {
      const lines = [title.textContent, `— ${status.replace('-', ' ')}`];
      if (state?.error) lines.push(`error: ${state.error}`);
      for (const retry of state?.retries ?? []) lines.push(`retried after ${Number(Number(retry.wait).toFixed(2))} s: ${retry.error}`);
      title.textContent = lines.join('\n');
    }
  }
  for (const transition of analysis.transitions) {
    const group = transitionGroup(svg, transition);
    if (group) group.classList.add(transition.failure ? 'tr-failure' : 'tr-taken');
  }
  const ended = executionStatus && executionStatus !== 'RUNNING';
  svg.querySelector('[data-terminal="start"]')?.classList.add('st-succeeded');
  svg.querySelector('[data-terminal="end"]')?.classList.add(
    !ended ? 'st-not-reached' : executionStatus === 'SUCCEEDED' ? 'st-succeeded' : 'st-failed');
}

/** The colour key shown under the graph. */
export function legend() {
  const item = (status, text) => h('span', {class: `legend-item k-${status}`}, h('i', {'aria-hidden': 'true'}), text);
  return h('div', {class: 'legend'},
    item('succeeded', 'Succeeded'), item('failed', 'Failed'), item('caught', 'Caught error'),
    item('retried', 'Retried ↻'), item('running', 'In progress'), item('not-reached', 'Not reached'));
}
