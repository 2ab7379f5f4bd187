// What the local harness relies on in the document declare.ts writes: the six
// functions with their zips, and every piece of wiring (state machine, queue,
// subscription, event source, schedule, API) pointing at the `live` aliases,
// all read from the program. Also: a drift simulated with --rename-env, a
// second run in the same process, and the CLI's file and exit codes.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { before, describe, it } from "node:test";
import { Recorded, fixtureBuildDir } from "./harness";
import { DescribeError, declared, describe as describeResources } from "./declared";
import type { Declared, DeclaredFunction } from "./declared-document";
import { RECONCILE_INPUT, SCHEDULE_INPUT } from "../src/schedule";
import { ConfigError } from "../src/config";
import { UsageError, parseArgs } from "./declare";

const INFRA = path.resolve(__dirname, "..");
const NTFY = "https://ntfy.example.org/rez-local";
const API_KEY = "local-api-key-0123456789abcdefghij";
/**
 * The topic of the dev stack's generated ntfy URL under the mocks (drawn from
 * a hash of its resource's name). The Rust harness's delivery test expects
 * its ntfy stub to receive this topic: change both together.
 */
const GENERATED_DEV_TOPIC = "rez-agent-dev-70jgx3phr0d68s4bimbs";
const TASKS = ["load-message", "send-notification", "record-status"];

/** Every `Resource` of a Task state, in branches and iterators too. */
function taskResources(states: Record<string, any>): string[] {
  return Object.values(states).flatMap((s: any) => [
    ...(s.Type === "Task" ? [s.Resource] : []),
    ...(s.Branches ?? []).flatMap((b: any) => taskResources(b.States)),
    ...(s.Iterator ? taskResources(s.Iterator.States) : []),
    ...(s.ItemProcessor ? taskResources(s.ItemProcessor.States) : []),
  ]);
}

describe("declare: the dev stack as declared", () => {
  let buildDir: string;
  let doc: Declared;
  const fn = (key: string): DeclaredFunction => {
    const found = doc.functions.filter((f) => f.key === key);
    assert.equal(found.length, 1, key);
    return found[0];
  };

  before(async () => {
    buildDir = fixtureBuildDir();
    doc = await declared({ stack: "dev", buildDir, ntfyUrl: NTFY, apiKey: API_KEY });
  });

  it("has the six functions, each with its zip in the given build dir and a live alias", () => {
    assert.deepEqual(
      doc.functions.map((f) => f.key),
      ["scheduler", "processor", "webapi", "load-message", "send-notification", "record-status"],
    );
    for (const f of doc.functions) {
      assert.equal(f.zip, path.join(buildDir, `${f.key}.zip`));
      assert.ok(path.isAbsolute(f.zip));
      assert.equal(f.name, `rez-agent-${f.key}-dev`);
      assert.equal(f.alias.arn, `${f.arn}:${f.alias.name}`);
      assert.equal(f.alias.functionVersion, f.version);
      assert.deepEqual(f.alias.additionalVersionWeights, {});
    }
  });

  it("has exactly the documented members, none missing (the Rust side deserializes them)", () => {
    const keys = (o: object) => Object.keys(o).sort();
    assert.deepEqual(keys(doc), ["account", "eventSourceMappings", "functions", "httpApis", "parameters", "queues", "region", "scheduleGroups", "schedules", "stage", "stateMachines", "subscriptions", "table", "topic"]);
    assert.deepEqual(keys(fn("processor")), ["alias", "architectures", "arn", "environment", "handler", "key", "memorySize", "name", "runtime", "timeout", "version", "zip"]);
    assert.deepEqual(keys(doc.table), ["arn", "attributes", "globalSecondaryIndexes", "hashKey", "name", "rangeKey", "ttlAttribute"]);
    for (const q of doc.queues) {
      assert.deepEqual(keys(q), ["arn", "messageRetentionSeconds", "name", "receiveWaitTimeSeconds", "redrivePolicy", "url", "visibilityTimeoutSeconds"]);
    }
    assert.deepEqual(keys(doc.eventSourceMappings[0]), ["batchSize", "enabled", "eventSourceArn", "functionArn", "functionResponseTypes", "maximumBatchingWindowInSeconds"]);
    assert.equal(doc.eventSourceMappings[0].maximumBatchingWindowInSeconds, null, "an absent value is null");
    assert.deepEqual(keys(doc.schedules[0]), ["input", "name", "retryPolicy", "scheduleExpression", "scheduleExpressionTimezone", "state", "targetArn"]);
    assert.deepEqual(keys(doc.scheduleGroups[0]), ["arn", "name"]);
    assert.deepEqual(keys(doc.httpApis[0]), ["name", "routes", "throttlingBurstLimit", "throttlingRateLimit"]);
    assert.deepEqual(keys(doc.stateMachines[0]), ["arn", "definition", "logGroup", "name", "type"]);
  });

  it("gives the processor the state machine's ARN, whose definition invokes exactly the three task aliases", () => {
    assert.equal(doc.stateMachines.length, 1);
    const sm = doc.stateMachines[0];
    assert.equal(fn("processor").environment.REZ_STATE_MACHINE_ARN, sm.arn);
    assert.ok(!sm.definition.includes("${"), "no placeholder left");
    const used = new Set(taskResources(JSON.parse(sm.definition).States));
    assert.deepEqual([...used].sort(), TASKS.map((t) => fn(t).alias.arn).sort());
  });

  it("names the log group the state machine logs to, which the webapi reads executions' histories from", () => {
    const sm = doc.stateMachines[0];
    assert.equal(sm.logGroup, "/aws/vendedlogs/states/rez-agent-notification-dev");
    assert.equal(fn("webapi").environment.REZ_EXECUTION_LOG_GROUP, sm.logGroup);
  });

  it("gives the queue 6 × the processor's timeout as visibility timeout and redrives to the DLQ after 3 receives", () => {
    const [queue, ...rest] = doc.queues.filter((q) => q.redrivePolicy !== null);
    assert.equal(rest.length, 0);
    const dlq = doc.queues.find((q) => q.arn === queue.redrivePolicy!.deadLetterTargetArn);
    assert.ok(dlq, "the dead-letter target is a declared queue");
    assert.equal(queue.visibilityTimeoutSeconds, 6 * fn("processor").timeout!);
    assert.equal(queue.redrivePolicy!.maxReceiveCount, 3);
    assert.equal(queue.url, `https://sqs.us-east-1.amazonaws.com/123456789012/${queue.name}`);
  });

  it("gives the processor the queue's URL and the webapi both queues' URLs", () => {
    const queue = doc.queues.find((q) => q.redrivePolicy !== null)!;
    const dlq = doc.queues.find((q) => q.arn === queue.redrivePolicy!.deadLetterTargetArn)!;
    assert.equal(fn("processor").environment.REZ_QUEUE_URL, queue.url);
    assert.equal(fn("webapi").environment.REZ_QUEUE_URL, queue.url);
    assert.equal(fn("webapi").environment.REZ_DLQ_URL, dlq.url);
  });

  it("subscribes the queue to the topic with raw message delivery", () => {
    const queue = doc.queues.find((q) => q.redrivePolicy !== null)!;
    assert.deepEqual(doc.subscriptions, [{ topicArn: doc.topic.arn, protocol: "sqs", endpoint: queue.arn, rawMessageDelivery: true }]);
    for (const key of ["scheduler", "webapi"]) assert.equal(fn(key).environment.REZ_TOPIC_ARN, doc.topic.arn, key);
  });

  it("feeds the processor's alias from the queue: batch 10, ReportBatchItemFailures", () => {
    const queue = doc.queues.find((q) => q.redrivePolicy !== null)!;
    assert.deepEqual(doc.eventSourceMappings, [
      {
        eventSourceArn: queue.arn,
        functionArn: fn("processor").alias.arn,
        batchSize: 10,
        functionResponseTypes: ["ReportBatchItemFailures"],
        maximumBatchingWindowInSeconds: null,
        enabled: true,
      },
    ]);
  });

  it("runs the schedules against the scheduler's alias with the declared inputs and retries", () => {
    assert.deepEqual(
      doc.schedules.map((s) => JSON.parse(s.input ?? "null")),
      [JSON.parse(SCHEDULE_INPUT), JSON.parse(RECONCILE_INPUT)],
    );
    const reconcile = doc.schedules[1];
    assert.equal(reconcile.targetArn, fn("scheduler").alias.arn);
    assert.equal(reconcile.scheduleExpression, "rate(5 minutes)");
    const s = doc.schedules[0];
    assert.equal(s.targetArn, fn("scheduler").alias.arn);
    assert.equal(s.input, SCHEDULE_INPUT);
    assert.equal(s.scheduleExpression, "cron(0 12 * * ? *)");
    assert.equal(s.state, "ENABLED");
    assert.deepEqual(s.retryPolicy, { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 });
  });

  it("lists the stack's schedule group, which the webapi is told to create the schedules people define in", () => {
    assert.deepEqual(doc.scheduleGroups, [
      { name: "rez-agent-schedules-dev", arn: "arn:aws:scheduler:us-east-1:123456789012:schedule-group/rez-agent-schedules-dev" },
    ]);
    const env = fn("webapi").environment;
    assert.equal(env.REZ_SCHEDULE_GROUP, doc.scheduleGroups[0].name);
    assert.equal(env.REZ_SCHEDULE_TARGET_ARN, fn("scheduler").alias.arn);
    const scheduleDlq = doc.queues.find((q) => q.arn === env.REZ_SCHEDULE_DLQ_ARN);
    assert.equal(scheduleDlq?.name, "rez-agent-schedule-dlq-dev", "the schedules' DLQ is a declared queue");
    assert.equal(env.REZ_CONFIGURATION_SCHEDULE, doc.schedules[0].scheduleExpression);
  });

  it("routes $default with payload format 2.0 to the webapi's alias", () => {
    assert.equal(doc.httpApis.length, 1);
    assert.deepEqual(doc.httpApis[0].routes, [
      { routeKey: "$default", integrationType: "AWS_PROXY", payloadFormatVersion: "2.0", functionArn: fn("webapi").alias.arn },
    ]);
    assert.equal(doc.httpApis[0].throttlingBurstLimit, 100);
    assert.equal(doc.httpApis[0].throttlingRateLimit, 50);
  });

  it("stores --ntfy-url and --api-key as the parameters the functions are told to read", () => {
    const param = (name: string) => doc.parameters.find((p) => p.name === name);
    const ntfy = param(fn("send-notification").environment.REZ_NTFY_URL_PARAMETER);
    assert.deepEqual(ntfy, { name: "/rez-agent/dev/ntfy-url", type: "String", value: NTFY });
    const key = param(fn("webapi").environment.REZ_API_KEY_PARAMETER);
    assert.deepEqual(key, { name: "/rez-agent/dev/api-key", type: "SecureString", value: API_KEY }, "the secret, revealed");
  });

  it("describes the table with its keys, indexes and TTL attribute", () => {
    assert.equal(doc.table.name, fn("processor").environment.REZ_TABLE_NAME);
    assert.equal(doc.table.hashKey, "id");
    assert.equal(doc.table.rangeKey, "created_date");
    assert.deepEqual(doc.table.globalSecondaryIndexes.map((g) => g.name), ["stage-created_date-index", "status-created_date-index"]);
    assert.equal(doc.table.ttlAttribute, "ttl");
  });

  it("renames a variable in every function with --rename-env, in a second run of the same process", async () => {
    const drifted = await declared({ stack: "dev", buildDir, ntfyUrl: NTFY, renameEnv: { REZ_TABLE_NAME: "REZ_TABLE" } });
    assert.equal(drifted.functions.length, 6, "only this run's resources");
    for (const f of drifted.functions) {
      assert.ok(!("REZ_TABLE_NAME" in f.environment), f.key);
      assert.equal(f.environment.REZ_TABLE, drifted.table.name, f.key);
    }
  });

  it("without --ntfy-url and --api-key, stores the generated topic and key, the same in every run, in the parameters the functions read", async () => {
    const generated = async () => {
      const d = await declared({ stack: "dev", buildDir });
      const named = (variable: string) => {
        const name = d.functions.map((f) => f.environment[variable]).find((v) => v !== undefined);
        const found = d.parameters.find((p) => p.name === name);
        assert.ok(found, `the parameter ${variable} names is declared`);
        return found;
      };
      return { ntfy: named("REZ_NTFY_URL_PARAMETER"), key: named("REZ_API_KEY_PARAMETER") };
    };
    const first = await generated();
    assert.deepEqual(first.ntfy, { name: "/rez-agent/dev/ntfy-url", type: "String", value: `https://ntfy.sh/${GENERATED_DEV_TOPIC}` });
    assert.equal(first.key.name, "/rez-agent/dev/api-key");
    assert.equal(first.key.type, "SecureString");
    assert.match(first.key.value, /^[A-Za-z0-9]{48}$/);
    assert.deepEqual(await generated(), first);
  });

  it("refuses a rename that matches no variable, and missing zips with the program's message", async () => {
    await assert.rejects(declared({ buildDir, ntfyUrl: NTFY, renameEnv: { NO_SUCH_VAR: "X" } }), (e: unknown) => e instanceof DescribeError && /NO_SUCH_VAR/.test(e.message));
    await assert.rejects(declared({ buildDir: "/no/such/build" }), (e: unknown) => e instanceof ConfigError && /zips are missing.*\/no\/such\/build\/processor\.zip/s.test(e.message));
  });
});

describe("declare: what the document cannot describe is an error", () => {
  const r = (type: string, name: string, inputs: any = {}, state: any = {}): Recorded => ({
    type,
    name,
    id: `${name}-id`,
    inputs,
    state,
    options: { protect: false, retainOnDelete: false, additionalSecretOutputs: [] },
  });

  it("refuses a type it neither describes nor leaves out on purpose", async () => {
    await assert.rejects(describeResources([r("aws:s3/bucket:Bucket", "rez-agent-bucket-dev")], "dev"), /aws:s3\/bucket:Bucket 'rez-agent-bucket-dev'.*LEFT_OUT/);
  });

  it("refuses two tables", async () => {
    const table = (n: string) => r("aws:dynamodb/table:Table", n, { name: n, hashKey: "id" }, { arn: `arn:${n}` });
    await assert.rejects(describeResources([table("a"), table("b")], "dev"), /exactly one DynamoDB table; the program declares 2: a, b/);
  });
});

describe("declare: the command line", () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ["--require", "ts-node/register", "test/declare.ts", ...args], {
      cwd: INFRA,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
      encoding: "utf8",
    });

  it("writes the document to --out and says so in one line", () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rez-declare-")), "declared.json");
    const run = cli(["--out", out, "--build-dir", fixtureBuildDir(), "--ntfy-url", NTFY, "--api-key", API_KEY, "--rename-env", "REZ_STAGE=REZ_ENV"]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim().split("\n").length, 1, run.stdout);
    assert.match(run.stdout, new RegExp(`wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    const doc: Declared = JSON.parse(fs.readFileSync(out, "utf8"));
    assert.equal(doc.functions.length, 6);
    assert.ok(doc.functions.every((f) => f.environment.REZ_ENV === "dev" && !("REZ_STAGE" in f.environment)));
    assert.deepEqual(fs.readdirSync(path.dirname(out)), ["declared.json"], "no temporary file left");
  });

  for (const [why, args, message] of [
    ["an unknown flag", ["--out", "/tmp/x.json", "--frobnicate"], /unknown argument '--frobnicate'/],
    ["no --out", ["--stack", "dev"], /--out FILE is required/],
    ["an --out in a missing directory", ["--out", "/no/such/dir/x.json"], /directory \/no\/such\/dir does not exist/],
    ["an unknown stack", ["--out", "/tmp/x.json", "--stack", "qa"], /no stack 'qa'/],
    ["a rename without =", ["--out", "/tmp/x.json", "--rename-env", "REZ_TABLE_NAME"], /'REZ_TABLE_NAME' is not OLD=NEW/],
    ["a variable renamed twice", ["--out", "/tmp/x.json", "--rename-env", "A=B", "--rename-env", "A=C"], /A is renamed twice/],
    ["an ntfy URL that is no URL", ["--out", "/tmp/x.json", "--ntfy-url", "ntfy"], /--ntfy-url: 'ntfy'/],
    ["a flag without its value", ["--out"], /--out needs a value/],
  ] as const) {
    it(`refuses ${why}`, () => {
      assert.throws(() => parseArgs([...args]), (e: unknown) => e instanceof UsageError && message.test(e.message));
    });
  }

  it("exits 2 with one line on stderr for a bad argument", () => {
    const run = cli(["--out", "/tmp/x.json", "--frobnicate"]);
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    assert.match(run.stderr, /^declare: unknown argument '--frobnicate'/);
    assert.equal(run.stdout, "");
  });

  it("reads repeated renames and resolves paths", () => {
    const { out, options } = parseArgs(["--out", "x.json", "--build-dir", "b", "--rename-env", "A=B", "--rename-env", "C=D", "--stack", "prod"]);
    assert.equal(out, path.resolve("x.json"));
    assert.deepEqual(options, { buildDir: path.resolve("b"), renameEnv: { A: "B", C: "D" }, stack: "prod" });
  });
});
