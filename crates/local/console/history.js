// Reading an execution's history (AWS GetExecutionHistory shape): what each
// state did, which transitions were taken, and one row per event.

/** The `…EventDetails` member of an event, nested under `details` or flat as in AWS. */
export function detailsOf(event) {
  const holder = event.details && typeof event.details === 'object' ? event.details : event;
  const key = Object.keys(holder).find((name) => name.endsWith('EventDetails'));
  return key ? holder[key] ?? {} : {};
}

const isEntered = (type) => type.endsWith('StateEntered');
const isExited = (type) => type.endsWith('StateExited');
const isExecution = (type) => type.startsWith('Execution');
const FAILURES = new Set(['TaskFailed', 'TaskTimedOut', 'LambdaFunctionFailed', 'LambdaFunctionTimedOut',
  'ParallelStateFailed', 'MapStateFailed', 'ActivityFailed', 'ActivityTimedOut']);
const BRANCH_STARTS = new Set(['ParallelStateStarted', 'MapIterationStarted', 'MapStateStarted']);

/**
 * Analyses `record.history`:
 * - `states`: Map name → {status: succeeded|caught|failed|running, retries: [{error, cause, wait, attempt}],
 *   error, cause, failurePath}
 * - `transitions`: [{from, to, kind: start|next|catch|end, failure}] ('' is a terminal)
 * - `rows`: one per event, for the history table
 */
export function analyse(record) {
  const events = [...(record.history ?? [])].sort((a, b) => a.id - b.id);
  const byId = new Map(events.map((event) => [event.id, event]));
  const step = new Map();
  const states = new Map();
  const transitions = [];
  const rows = [];
  const startedAt = events.length ? Date.parse(events[0].timestamp) : 0;

  /** The nearest earlier event in the same branch that satisfies `test`. */
  const before = (event, test) => {
    let current = byId.get(event.previousEventId);
    while (current && !test(current)) current = byId.get(current.previousEventId);
    return current;
  };
  const boundary = (event) => isExited(event.type) || isEntered(event.type)
    || event.type === 'ExecutionStarted' || BRANCH_STARTS.has(event.type);

  const arrive = (from, to, kind) => {
    const origin = states.get(from);
    const failure = kind === 'catch' || Boolean(origin?.failurePath);
    transitions.push({from, to, kind, failure});
    return failure;
  };

  for (const event of events) {
    const type = event.type ?? event.eventType ?? '';
    const details = detailsOf(event);
    let name = '';
    if (isEntered(type) || isExited(type)) name = details.name ?? '';
    else if (!isExecution(type)) name = step.get(event.previousEventId) ?? '';
    step.set(event.id, name);

    if (isEntered(type)) {
      const previous = before(event, boundary);
      const state = {status: 'running', retries: [], error: null, cause: null, failurePath: false, type: type.replace('StateEntered', '')};
      if (previous?.type === 'ExecutionStarted') arrive('', name, 'start');
      else if (previous && isExited(previous.type)) {
        const from = detailsOf(previous).name ?? '';
        const kind = states.get(from)?.status === 'caught' ? 'catch' : 'next';
        state.failurePath = arrive(from, name, kind);
      }
      if (type === 'FailStateEntered') {
        state.status = 'failed';
        state.failurePath = true;
        const last = transitions[transitions.length - 1];
        if (last?.to === name) last.failure = true;
      }
      states.set(name, state);
    } else if (isExited(type)) {
      const state = states.get(name);
      if (state) state.status = state.error ? 'caught' : 'succeeded';
    } else if (FAILURES.has(type)) {
      const state = states.get(name);
      if (state) {
        if (details.retryBackoffIntervalSeconds !== undefined) {
          state.retries.push({
            error: details.error, cause: details.cause,
            wait: details.retryBackoffIntervalSeconds, attempt: details.retryAttempt,
          });
        } else {
          state.error = details.error ?? type;
          state.cause = details.cause ?? null;
        }
      }
    } else if (type === 'ExecutionSucceeded') {
      const previous = before(event, (e) => isExited(e.type));
      if (previous) arrive(detailsOf(previous).name ?? '', '', 'end');
    } else if (isExecution(type) && type !== 'ExecutionStarted') {
      const previous = byId.get(event.previousEventId);
      if (previous?.type === 'FailStateEntered') {
        transitions.push({from: detailsOf(previous).name ?? '', to: '', kind: 'end', failure: true});
      }
      for (const state of states.values()) {
        if (state.status === 'running') {
          state.status = 'failed';
          state.error ??= details.error ?? type;
          state.cause ??= details.cause ?? null;
        }
      }
    }
    rows.push(row(event, type, name, details, startedAt));
  }
  return {states, transitions, rows};
}

/** One history table row: what the AWS console shows, plus the payloads to expand. */
function row(event, type, name, details, startedAt) {
  const payloads = [];
  for (const [field, label] of [['input', 'Input'], ['parameters', 'Parameters'], ['output', 'Output'],
    ['error', 'Error'], ['cause', 'Cause']]) {
    if (details[field] !== undefined && details[field] !== null) payloads.push([label, details[field]]);
  }
  let note = '';
  if (details.retryBackoffIntervalSeconds !== undefined) {
    const wait = Number(Number(details.retryBackoffIntervalSeconds).toFixed(2));
    note = `${details.error ?? 'error'}: retry ${details.retryAttempt ?? ''} after ${wait} s`;
  } else if (details.error) {
    note = details.error;
  }
  let tone = '';
  if (/Failed|TimedOut|Aborted/.test(type)) tone = details.retryBackoffIntervalSeconds !== undefined ? 'retried' : 'failed';
  else if (/Succeeded$/.test(type)) tone = 'succeeded';
  return {
    id: event.id,
    type,
    step: name,
    resource: details.resource ?? '',
    afterMs: Math.max(0, Date.parse(event.timestamp) - startedAt),
    timestamp: event.timestamp,
    payloads,
    note,
    tone,
  };
}
