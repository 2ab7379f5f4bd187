#!/usr/bin/env node
// Throughput of the aws-local-stepfunctions peer on map_1000, the Map
// definition of crates/states/benches/engine.rs: a Map over 1,000 items
// whose processor is Task -> Pass (2,001 states entered per execution).
// The counterpart of ../shared/bench/peers/asl-throughput.mjs for a Map.
//
//   PEERS_DIR=/path/to/peers $PEERS_DIR/bin/node peer-map-throughput.mjs [N]
//        [--concurrency C] [--warmup W] [--json]
//
// The task is an instant in-process function returning its input (the
// item's Parameters), as the engine's bench does. Every output is checked.

import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
function opt(name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}
const VALUE_OPTS = new Set(['--concurrency', '--warmup']);
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && VALUE_OPTS.has(args[i - 1])));
const N = Number(positional[0] || 50);
const C = opt('--concurrency', 1);
const WARMUP = opt('--warmup', 10);
const ITEMS = 1000;
const STATES_PER_EXEC = 1 + 2 * ITEMS;

const definition = {
  StartAt: 'Fan',
  States: {
    Fan: {
      Type: 'Map', ItemsPath: '$.items', ResultPath: '$.results', End: true,
      ItemProcessor: {
        StartAt: 'Process',
        States: {
          Process: {
            Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:Process',
            Parameters: { 'id.$': '$.id', kind: 'item' }, Next: 'Done',
          },
          Done: { Type: 'Pass', End: true },
        },
      },
    },
  },
};
const input = { items: Array.from({ length: ITEMS }, (_, id) => ({ id })) };

function loadPeer() {
  if (typeof Promise.withResolvers !== 'function') {
    throw new Error(`aws-local-stepfunctions v3 needs Node >= 22 (found ${process.version})`);
  }
  const dir = process.env.PEERS_DIR || path.join(os.homedir(), '.cache', 'rez-peers');
  return createRequire(path.join(dir, 'node', 'package.json'))('aws-local-stepfunctions');
}

async function main() {
  const { StateMachine } = loadPeer();
  const sm = new StateMachine(definition);
  const overrides = { taskResourceLocalHandlers: { Process: (inp) => inp } };

  async function one() {
    const out = await sm.run(input, { overrides }).result;
    if (!out || !Array.isArray(out.results) || out.results.length !== ITEMS || out.results[7].kind !== 'item') {
      throw new Error(`unexpected output: ${JSON.stringify(out).slice(0, 200)}`);
    }
  }

  async function runBatch(n) {
    let next = 0;
    async function worker() {
      while (next++ < n) await one();
    }
    await Promise.all(Array.from({ length: Math.max(1, C) }, worker));
  }

  await runBatch(WARMUP);
  const t0 = process.hrtime.bigint();
  await runBatch(N);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const result = {
    peer: 'aws-local-stepfunctions',
    definition: 'map_1000',
    node: process.version,
    executions: N,
    concurrency: C,
    seconds: +secs.toFixed(4),
    executions_per_s: +(N / secs).toFixed(2),
    transitions_per_s: +((N * STATES_PER_EXEC) / secs).toFixed(1),
  };
  if (args.includes('--json')) console.log(JSON.stringify(result));
  else console.log(`map_1000: executions/s=${result.executions_per_s} transitions/s=${result.transitions_per_s} (${result.seconds}s)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
