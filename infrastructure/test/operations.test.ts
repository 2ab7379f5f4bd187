// Deploying the same stage to two regions, the logLevel key, and the
// operator's commands in the README: that they name what the program
// declares, with the flags this deployment needs.

import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { describe, it } from "node:test";
import { Resources, runStack } from "./harness";
import {
  ConfigError,
  IAM_ROLE_NAME_MAX,
  LOG_LEVELS,
  RawConfig,
  ROLE_OWNERS,
  STAGES,
  loadConfig,
  roleName,
} from "../src/config";
import { ALARM_METRICS, ALARM_PRICE_PER_METRIC_USD } from "../src/alarms";
import { LIVE_ALIAS } from "../src/functions";
import { SCHEDULE_INPUT } from "../src/schedule";

const RAW: RawConfig = {
  region: "us-east-1",
  stage: "prod",
  ntfyUrl: "https://ntfy.example.org/alerts",
  logRetentionDays: "30",
};
const allZips = { buildDir: "/nowhere/build", fileExists: () => true };
const README = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

/** The longest region names AWS has, in the commercial and GovCloud partitions. */
const LONGEST_REGIONS = ["ap-southeast-2", "ap-northeast-3", "ap-southeast-7", "us-gov-west-1", "us-gov-east-1"];

describe("the same stage in two regions", () => {
  it("gives the two deployments disjoint IAM role names, and every other name the same", async () => {
    const names = async (region: string) => {
      const run = await runStack({ ...RAW, region });
      const res = new Resources(run.resources);
      const roles = res.ofType("aws:iam/role:Role").map((r) => r.inputs.name as string);
      const regional = run.resources
        .filter((r) => r.type !== "aws:iam/role:Role" && typeof r.inputs.name === "string")
        .map((r) => `${r.type} ${r.inputs.name}`);
      return { roles, regional };
    };
    const east = await names("us-east-1");
    const west = await names("eu-west-1");
    assert.equal(east.roles.length, ROLE_OWNERS.length);
    assert.equal(west.roles.length, ROLE_OWNERS.length);
    assert.deepEqual(east.roles.filter((n) => west.roles.includes(n)), [], "a role name both deployments would take");
    assert.deepEqual(east.regional.sort(), west.regional.sort(), "names in regional namespaces need no region");
  });

  for (const region of LONGEST_REGIONS) {
    it(`fits every role name within IAM's ${IAM_ROLE_NAME_MAX} characters in ${region}, in every stage`, () => {
      for (const stage of STAGES) {
        const cfg = loadConfig({ ...RAW, region, stage }, allZips);
        for (const owner of ROLE_OWNERS) {
          const n = roleName(cfg, owner);
          assert.ok(n.length <= IAM_ROLE_NAME_MAX, `${n}: ${n.length}`);
        }
      }
    });
  }

  it("has room to spare: the longest owner in the longest stage and region is 48 characters", () => {
    assert.equal(roleName({ namePrefix: "rez-agent", stage: "stage", region: "ap-southeast-2" }, "send-notification"), "rez-agent-send-notification-stage-ap-southeast-2");
    assert.equal(roleName({ namePrefix: "rez-agent", stage: "stage", region: "ap-southeast-2" }, "send-notification").length, 48);
  });

  it("refuses a region that would make a role name too long for IAM, naming the name", () => {
    assert.throws(
      () => loadConfig({ ...RAW, region: "xx-averyveryveryverylongregionname-1" }, allZips),
      (e: unknown) =>
        e instanceof ConfigError &&
        /config 'aws:region' 'xx-averyveryveryverylongregionname-1' makes the IAM role name 'rez-agent-[a-z-]+-prod-xx-averyveryveryverylongregionname-1' \d+ characters long; IAM allows 64/.test(
          e.message,
        ),
    );
  });
});

describe("config logLevel", () => {
  it("defaults to INFO, Lambda's own default", () => {
    assert.equal(loadConfig(RAW, allZips).logLevel, "INFO");
    assert.equal(loadConfig({ ...RAW, logLevel: "" }, allZips).logLevel, "INFO");
  });

  for (const level of LOG_LEVELS) {
    it(`accepts ${level}`, () => {
      assert.equal(loadConfig({ ...RAW, logLevel: level }, allZips).logLevel, level);
    });
  }

  for (const level of ["info", "Debug", "WARNING", "VERBOSE", "OFF", "FATAL"]) {
    it(`refuses '${level}', naming the levels Lambda accepts`, () => {
      assert.throws(
        () => loadConfig({ ...RAW, logLevel: level }, allZips),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.message.includes(`config 'logLevel' must be one of Lambda's application log levels TRACE, DEBUG, INFO, WARN, ERROR (in capitals), got '${level}'`),
      );
    });
  }
});

describe("the README's commands and prices", () => {
  /** The commands the README shows: the lines of its sh blocks (continuations joined) and its inline code, with arguments. */
  const shown: string[] = [
    ...[...README.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].replace(/\\\n\s*/g, " ").split("\n")),
    ...[...README.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]),
  ]
    .map((l) => l.trim())
    .filter((l) => / --[a-z]/.test(l));
  const commands = (prefix: string) => shown.filter((l) => l.startsWith(prefix));

  it("qualifies every get-policy and invoke of a function with the live alias", () => {
    for (const prefix of ["aws lambda get-policy", "aws lambda invoke"]) {
      const found = commands(prefix);
      assert.ok(found.length > 0, `the README shows ${prefix}`);
      for (const c of found) assert.ok(c.includes(`--qualifier ${LIVE_ALIAS}`), c);
    }
  });

  it("invokes the scheduler with the daily schedule's input, as raw JSON", () => {
    const invoke = commands("aws lambda invoke").find((c) => c.includes("rez-agent-scheduler-"));
    assert.ok(invoke, "the README shows how to invoke the scheduler by hand");
    assert.ok(invoke.includes("--cli-binary-format raw-in-base64-out"), invoke);
    const payload = /--payload '([^']+)'/.exec(invoke);
    assert.ok(payload, invoke);
    assert.deepEqual(Object.keys(JSON.parse(payload[1])), Object.keys(JSON.parse(SCHEDULE_INPUT)));
  });

  it("reads the schedules with aws scheduler (they are Scheduler schedules in the default group), never aws events", () => {
    assert.ok(commands("aws scheduler get-schedule").length > 0);
    for (const c of commands("aws scheduler get-schedule")) assert.match(c, /--name rez-agent-(daily-scheduler|reconcile)-\S+ --group-name default/, c);
    assert.deepEqual(commands("aws events"), []);
  });

  it("prices each alarm at $0.10 a metric, and their sum", () => {
    for (const [what, metrics] of Object.entries(ALARM_METRICS)) {
      const row = README.split("\n").find((l) => l.trim().startsWith(`| \`rez-agent-${what}-{stage}\``));
      assert.ok(row, `the alarms table has rez-agent-${what}-{stage}`);
      assert.ok(row.includes(`$${(metrics * ALARM_PRICE_PER_METRIC_USD).toFixed(2)}`), row);
    }
    const total = Object.values(ALARM_METRICS).reduce((x: number, y) => x + y, 0);
    assert.ok(README.includes(`evaluating ${total} metrics`), `the cost table counts ${total} alarm metrics`);
  });
});

describe("customMetrics", () => {
  const METRIC_RECORDERS = ["webapi", "scheduler", "record-status"];
  const variables = async (raw: RawConfig) => {
    const run = await runStack(raw);
    return new Resources(run.resources)
      .ofType("aws:lambda/function:Function")
      .map((f) => ({ name: f.inputs.name as string, env: (f.inputs.environment?.variables ?? {}) as Record<string, string> }));
  };

  it("is off by default: no function writes the EMF custom metrics", async () => {
    for (const f of await variables(RAW)) {
      assert.equal(f.env.REZ_CUSTOM_METRICS, undefined, f.name);
    }
  });

  it("when set, turns them on in the functions that record metric events, and only there", async () => {
    const fns = await variables({ ...RAW, customMetrics: "true" });
    assert.equal(fns.length, 6);
    for (const f of fns) {
      const records = METRIC_RECORDERS.some((n) => f.name === `rez-agent-${n}-prod`);
      assert.equal(f.env.REZ_CUSTOM_METRICS, records ? "true" : undefined, f.name);
    }
  });

  it("keeps the API's per-route metrics off: CloudWatch bills them as custom metrics", async () => {
    const run = await runStack(RAW);
    const [stage] = new Resources(run.resources).ofType("aws:apigatewayv2/stage:Stage");
    assert.equal(stage.inputs.defaultRouteSettings.detailedMetricsEnabled, false);
  });
});
