// The console's entry: hash routes → pages, the navigation, the health dot.

import {api} from './api.js';
import {errorBox, replace} from './dom.js';
import {dlqPage} from './pages/dlq.js';
import {executionPage} from './pages/execution.js';
import {executionsPage} from './pages/executions.js';
import {messagePage} from './pages/message.js';
import {messagesPage} from './pages/messages.js';
import {metricsPage} from './pages/metrics.js';
import {schedulePage} from './pages/schedule.js';
import {schedulesPage} from './pages/schedules.js';
import {sendPage} from './pages/send.js';

/** [pattern on the hash path, navigation entry, page(main, params, context, ...captures)] */
const ROUTES = [
  [/^\/executions\/(.+)$/, 'executions', executionPage],
  [/^\/executions$/, 'executions', executionsPage],
  [/^\/messages\/(.+)$/, 'messages', messagePage],
  [/^\/messages$/, 'messages', messagesPage],
  [/^\/schedules\/(.+)$/, 'schedules', schedulePage],
  [/^\/schedules$/, 'schedules', schedulesPage],
  [/^\/metrics$/, 'metrics', metricsPage],
  [/^\/send$/, 'send', sendPage],
  [/^\/dlq$/, 'dlq', dlqPage],
];

let current = null;

/** What a page gets besides its element: whether it is still shown, and cleanup hooks. */
class PageContext {
  constructor() {
    this.left = false;
    this.cleanups = [];
  }
  /** True while the page is the one shown; async work checks it before drawing. */
  get active() {
    return !this.left;
  }
  /** Runs `cleanup` when the user leaves the page (timers, polls). */
  onLeave(cleanup) {
    this.cleanups.push(cleanup);
  }
  leave() {
    this.left = true;
    for (const cleanup of this.cleanups) cleanup();
  }
}

async function render() {
  const hash = location.hash || '#/executions';
  const [path, query = ''] = hash.slice(1).split('?');
  const params = new URLSearchParams(query);
  const main = document.getElementById('main');
  current?.leave();
  const context = new PageContext();
  current = context;
  const route = ROUTES.find(([pattern]) => pattern.test(path));
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (route && link.dataset.nav === route[1]) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!route) {
    location.replace('#/executions');
    return;
  }
  const captures = path.match(route[0]).slice(1).map(decodeURIComponent);
  try {
    await route[2](main, params, context, ...captures);
  } catch (error) {
    if (context.active) replace(main, errorBox(error));
  }
}

async function health() {
  const dot = document.getElementById('health');
  try {
    const answer = await api('/api/health');
    dot.textContent = `● ${answer.version ?? 'ok'}`;
    dot.className = 'health ok';
    dot.title = `API healthy, version ${answer.version}`;
  } catch (error) {
    dot.textContent = '● down';
    dot.className = 'health down';
    dot.title = `API unreachable: ${error.message}`;
  }
}

window.addEventListener('hashchange', render);
render();
health();
setInterval(health, 30_000);
