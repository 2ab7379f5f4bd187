// The namePrefix key: with another prefix no physical name is rez-agent's
// (so the stack can run beside a deployment that has those names), the
// functions are told the prefixed names, and a prefix is refused when it is
// malformed or makes any name longer than its service allows.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Recorded, Resources, reveal, runStack } from "./harness";
import { ConfigError, FUNCTION_NAMES, RawConfig, loadConfig } from "../src/config";
import { namePrefixProblem } from "../src/names";

const RAW: RawConfig = { region: "us-east-1", stage: "dev", logRetentionDays: "7" };
const allZips = { buildDir: "/nowhere/build", fileExists: () => true };

/** The most characters each service allows in the name input of its resources (the `name` of each, unless noted). */
const LIMITS: Record<string, number> = {
  "aws:lambda/function:Function": 64,
  "aws:scheduler/schedule:Schedule": 64,
  "aws:scheduler/scheduleGroup:ScheduleGroup": 64,
  "aws:iam/role:Role": 64,
  "aws:sqs/queue:Queue": 80,
  "aws:sfn/stateMachine:StateMachine": 80,
  "aws:apigatewayv2/api:Api": 128,
  "aws:iam/rolePolicy:RolePolicy": 128,
  "aws:dynamodb/table:Table": 255,
  "aws:cloudwatch/metricAlarm:MetricAlarm": 255,
  "aws:sns/topic:Topic": 256,
  "aws:cloudwatch/logGroup:LogGroup": 512,
  "aws:ssm/parameter:Parameter": 1011,
};
/** Names that are not the stack's to choose. */
const FIXED_NAMES = ["live", "$default"];
/** ntfy's limit on a topic name. */
const NTFY_TOPIC_MAX = 64;

/** Every string in a resource's inputs (secrets revealed), with where it is. */
function strings(v: unknown, at: string, out: [string, string][] = []): [string, string][] {
  const x = reveal(v);
  if (typeof x === "string") out.push([at, x]);
  else if (Array.isArray(x)) x.forEach((e, i) => strings(e, `${at}[${i}]`, out));
  else if (x !== null && typeof x === "object") for (const [k, e] of Object.entries(x)) strings(e, `${at}.${k}`, out);
  return out;
}

/** The ntfy topic the stack's ntfy-url parameter holds. */
function topicOf(res: Resources): string {
  const p = res.ofType("aws:ssm/parameter:Parameter").find((r) => r.inputs.name.endsWith("/ntfy-url")) as Recorded;
  return new URL(reveal(p.inputs.value)).pathname.slice(1);
}

describe("namePrefix", () => {
  it("leaves no name of rez-agent's in a stack with namePrefix rez2: logical names, physical names, ARNs, URLs, parameter paths, the topic", async () => {
    const run = await runStack({ ...RAW, namePrefix: "rez2" });
    assert.ok(run.resources.length > 50);
    for (const r of run.resources) {
      assert.ok(!r.name.startsWith("rez-agent"), `${r.type} ${r.name}`);
      // Names are rez-agent- or /rez-agent/ in any input; descriptions and the Project tag say "rez-agent" alone.
      for (const [at, s] of strings(r.inputs, "inputs")) assert.doesNotMatch(s, /rez-agent[-/]/, `${r.type} ${r.name} ${at}`);
      const n = r.inputs.name;
      if (typeof n === "string" && !FIXED_NAMES.includes(n)) assert.match(n, /^(rez2-|\/aws\/[a-z/]+\/rez2-|\/rez2\/)/, `${r.type} ${n}`);
    }
    assert.match(topicOf(new Resources(run.resources)), /^rez2-dev-[a-z0-9]{20}$/);
    assert.deepEqual(run.outputs.functionNames, Object.fromEntries(FUNCTION_NAMES.map((f) => [f, `rez2-${f}-dev`])));
  });

  it("tells the functions the prefixed names (table, topic, queues, state machine, parameters, log group)", async () => {
    const run = await runStack({ ...RAW, namePrefix: "rez2" });
    const env = (fn: string): Record<string, string> =>
      new Resources(run.resources).named("aws:lambda/function:Function", `rez2-${fn}-dev`).inputs.environment.variables;
    for (const fn of FUNCTION_NAMES) assert.equal(env(fn).REZ_TABLE_NAME, "rez2-messages-dev", fn);
    assert.equal(env("send-notification").REZ_NTFY_URL_PARAMETER, "/rez2/dev/ntfy-url");
    assert.equal(env("webapi").REZ_API_KEY_PARAMETER, "/rez2/dev/api-key");
    assert.equal(env("webapi").REZ_EXECUTION_LOG_GROUP, "/aws/vendedlogs/states/rez2-notification-dev");
    assert.match(env("webapi").REZ_TOPIC_ARN, /:rez2-notifications-dev$/);
    assert.match(env("scheduler").REZ_DLQ_URL, /\/rez2-notifications-dlq-dev$/);
    assert.match(env("processor").REZ_QUEUE_URL, /\/rez2-notifications-queue-dev$/);
    assert.match(env("processor").REZ_STATE_MACHINE_ARN, /:stateMachine:rez2-notification-dev$/);
  });

  it("defaults to rez-agent", () => {
    assert.equal(loadConfig(RAW, allZips).namePrefix, "rez-agent");
    assert.equal(loadConfig({ ...RAW, namePrefix: "" }, allZips).namePrefix, "rez-agent");
  });

  for (const bad of ["Rez", "2rez", "rez_2", "rez-", "-rez", "rez.agent", "rez agent"]) {
    it(`refuses '${bad}'`, () => {
      assert.throws(
        () => loadConfig({ ...RAW, namePrefix: bad }, allZips),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.message.includes(`config 'namePrefix' must be lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen, got '${bad}'`),
      );
    });
  }

  /** The longest prefix loadConfig accepts for `raw`. */
  const longestAccepted = (raw: RawConfig): string => {
    let p = "a";
    while (p.length < 100) {
      try {
        loadConfig({ ...raw, namePrefix: p + "a" }, allZips);
      } catch {
        return p;
      }
      p += "a";
    }
    throw new Error("no prefix is too long");
  };

  for (const region of ["us-east-1", "ap-southeast-2"]) {
    it(`refuses, in ${region}, the first prefix that makes an IAM role name longer than 64, naming it`, () => {
      const raw = { ...RAW, region, stage: "stage" };
      const p = longestAccepted(raw);
      assert.equal(`${p}-send-notification-stage-${region}`.length, 64);
      assert.throws(
        () => loadConfig({ ...raw, namePrefix: `${p}a` }, allZips),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.message.includes(`config 'namePrefix' '${p}a' makes the IAM role name '${p}a-send-notification-stage-${region}' 65 characters long; IAM allows 64`),
      );
    });
  }

  it("fits every name the stack declares within its service's limit at the longest accepted prefix", async () => {
    const raw = { ...RAW, stage: "stage" };
    const p = longestAccepted(raw);
    const run = await runStack({ ...raw, namePrefix: p });
    const named = run.resources.filter((r) => typeof r.inputs.name === "string" && !FIXED_NAMES.includes(r.inputs.name));
    assert.ok(named.length > 30);
    for (const r of named) {
      const max = LIMITS[r.type];
      assert.ok(max !== undefined, `${r.type} has a name and no limit in LIMITS: add it here and to nameLimits in src/names.ts`);
      assert.ok(r.inputs.name.length <= max, `${r.type} ${r.inputs.name}: ${r.inputs.name.length} > ${max}`);
    }
    assert.ok(topicOf(new Resources(run.resources)).length <= NTFY_TOPIC_MAX);
  });

  it("checks the names besides the roles' too (here with no region, so that the generated ntfy topic is the longest)", () => {
    const p = "a".repeat(38);
    assert.equal(namePrefixProblem({ namePrefix: p.slice(1), stage: "stage", region: "" }), undefined);
    assert.equal(
      namePrefixProblem({ namePrefix: p, stage: "stage", region: "" }),
      `config 'namePrefix' '${p}' makes the ntfy topic name '${p}-stage-${"x".repeat(20)}' 65 characters long; it may have 64`,
    );
  });
});
