// The assertions every stack must pass, whatever its configuration. Each
// scenario file runs the program once (its own process, its own mocks) and
// registers these tests against the result.

import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { before, describe, it } from "node:test";
import { ACCOUNT, API_ID, REGION, Recorded, Resources, Run, grants, isSecret, pairs, reveal } from "./harness";
import { alarmTests } from "./alarms";
import { apiKeyInUse, firstDeployTests, ntfyUrlInUse } from "./first-deploy";
import { operationsTests } from "./operations";

export const REPO = path.resolve(__dirname, "..", "..");
export const DEFINITION_FILE = path.join(REPO, "statemachine", "notification.asl.json");
const AWS_TYPES = path.resolve(__dirname, "..", "node_modules", "@pulumi", "aws");

export interface Expect {
  stage: string;
  region: string;
  architecture: string;
  logRetentionDays: number;
  enableXRay: boolean;
  schedulerCron: string;
  /** Every function's application log level (configured, or INFO). */
  logLevel: string;
  /** The configured ntfy URL; unset: the stack generates a topic. */
  ntfyUrl?: string;
  ntfyToken?: string;
  /** The configured API key; unset: the stack generates one. */
  apiKey?: string;
  /** The origins the program should declare for the configured corsOrigins; unset: CORS off. */
  corsOrigins?: string[];
  parameterKmsKeyArn?: string;
  alarmEmail?: string;
  apiDomain?: string;
  certificateArn?: string;
}

export const SIX = ["scheduler", "processor", "webapi", "load-message", "send-notification", "record-status"];
const TASKS: Record<string, string> = {
  LoadMessageFunctionArn: "load-message",
  SendNotificationFunctionArn: "send-notification",
  RecordStatusFunctionArn: "record-status",
};

/** Whether the @pulumi/aws resource type takes `tags` (read from its own type declarations). */
function isTaggable(type: string): boolean {
  const m = /^aws:([a-z0-9]+)\/([A-Za-z0-9]+):[A-Za-z0-9]+$/.exec(type);
  if (!m) return false;
  const file = path.join(AWS_TYPES, m[1], `${m[2]}.d.ts`);
  const text = fs.readFileSync(file, "utf8");
  const args = /export interface \w+Args \{([\s\S]*?)\n\}/.exec(text);
  assert.ok(args, `no Args interface in ${file}`);
  return /\n {4}tags\?:/.test(args[1]);
}

export function commonSuite(title: string, getRun: () => Promise<Run>, e: Expect): void {
  describe(title, () => {
    let run: Run;
    let res: Resources;
    const arnOf = (r: Recorded): string => r.state.arn;
    const name = (what: string) => `rez-agent-${what}-${e.stage}`;
    const aliasArn = (fn: string) => `arn:aws:lambda:${e.region}:${ACCOUNT}:function:${name(fn)}:live`;
    const tableArn = () => `arn:aws:dynamodb:${e.region}:${ACCOUNT}:table/${name("messages")}`;
    const topicArn = () => `arn:aws:sns:${e.region}:${ACCOUNT}:${name("notifications")}`;
    const queueArn = () => `arn:aws:sqs:${e.region}:${ACCOUNT}:${name("notifications-queue")}`;
    const dlqArn = () => `arn:aws:sqs:${e.region}:${ACCOUNT}:${name("notifications-dlq")}`;
    const queueUrl = () => `https://sqs.${e.region}.amazonaws.com/${ACCOUNT}/${name("notifications-queue")}`;
    const dlqUrl = () => `https://sqs.${e.region}.amazonaws.com/${ACCOUNT}/${name("notifications-dlq")}`;
    const smArn = () => `arn:aws:states:${e.region}:${ACCOUNT}:stateMachine:${name("notification")}`;
    const paramArn = (key: string) => `arn:aws:ssm:${e.region}:${ACCOUNT}:parameter/rez-agent/${e.stage}/${key}`;
    const logArn = (group: string) => `arn:aws:logs:${e.region}:${ACCOUNT}:log-group:${group}`;
    const fnPolicy = (fn: string) => res.policyOfRole(res.fn(fn, e.stage).inputs.role);
    const scheduleDlqArn = () => `arn:aws:sqs:${e.region}:${ACCOUNT}:${name("schedule-dlq")}`;
    const schedulerRoleArn = () => `arn:aws:iam::${ACCOUNT}:role/rez-agent-daily-scheduler-${e.stage}-${e.region}`;
    /** Every schedule of the stack's group, as IAM names them: what the webapi may manage. */
    const definedSchedulesArn = () => `arn:aws:scheduler:${e.region}:${ACCOUNT}:schedule/${name("schedules")}/*`;
    const SCHEDULE_ACTIONS = ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"];

    before(async () => {
      assert.equal(e.region, REGION, "the harness's ARNs are built for REGION");
      run = await getRun();
      res = new Resources(run.resources);
    });

    firstDeployTests(() => ({ run, res }), e);
    alarmTests(() => res, e);
    operationsTests(() => res, e, () => run);

    describe("tags and names", () => {
      it("tags every taggable resource with Project, Stage, ManagedBy and Environment", () => {
        const want = {
          Project: "rez-agent",
          Stage: e.stage,
          ManagedBy: "pulumi",
          Environment: { dev: "development", stage: "staging", prod: "production" }[e.stage],
        };
        const taggable = run.resources.filter((r) => isTaggable(r.type));
        assert.ok(taggable.length > 30, `only ${taggable.length} taggable resources recorded`);
        for (const r of taggable) assert.deepEqual(r.inputs.tags, want, `${r.type} ${r.name}`);
      });

      it("names every resource rez-agent-…-{stage} (log groups and parameters carry that name in their path)", () => {
        for (const r of run.resources) {
          assert.match(r.name, new RegExp(`^rez-agent-.+-${e.stage}(-.+)?$`), `${r.type} ${r.name}`);
          const n: unknown = r.inputs.name;
          if (typeof n !== "string" || n === "live" || n === "$default") continue;
          if (r.type === "aws:cloudwatch/logGroup:LogGroup" || r.type === "aws:ssm/parameter:Parameter") {
            assert.ok(n.includes(`rez-agent`) && n.includes(e.stage), `${r.type} ${n}`);
          } else if (r.type === "aws:iam/role:Role") {
            // IAM names are global to the account: a role's carries the region too.
            assert.match(n, new RegExp(`^rez-agent-[a-z0-9-]+-${e.stage}-${e.region}$`), `${r.type} ${n}`);
          } else {
            assert.match(n, new RegExp(`^rez-agent-[a-z0-9-]+-${e.stage}(-(policy|sfn-policy))?$`), `${r.type} ${n}`);
          }
        }
      });
    });

    describe("storage", () => {
      it("declares the message table with its keys, GSIs, TTL, on-demand billing and encryption", () => {
        const t = res.named("aws:dynamodb/table:Table", name("messages"));
        assert.equal(t.inputs.hashKey, "id");
        assert.equal(t.inputs.rangeKey, "created_date");
        assert.equal(t.inputs.billingMode, "PAY_PER_REQUEST");
        assert.deepEqual(
          [...t.inputs.attributes].sort((a: any, b: any) => a.name.localeCompare(b.name)),
          [
            { name: "created_date", type: "S" },
            { name: "id", type: "S" },
            { name: "stage", type: "S" },
            { name: "status", type: "S" },
          ],
        );
        assert.deepEqual(t.inputs.globalSecondaryIndexes, [
          { name: "stage-created_date-index", hashKey: "stage", rangeKey: "created_date", projectionType: "ALL" },
          { name: "status-created_date-index", hashKey: "status", rangeKey: "created_date", projectionType: "ALL" },
        ]);
        assert.deepEqual(t.inputs.ttl, { attributeName: "ttl", enabled: true });
        assert.deepEqual(t.inputs.serverSideEncryption, { enabled: true });
        assert.deepEqual(t.inputs.pointInTimeRecovery, { enabled: e.stage === "prod" });
        assert.equal(t.inputs.deletionProtectionEnabled, e.stage === "prod");
      });
    });

    describe("messaging", () => {
      it("has a topic, a queue redriving to a DLQ after 3 receives, the DLQ keeping 14 days", () => {
        res.named("aws:sns/topic:Topic", name("notifications"));
        const q = res.named("aws:sqs/queue:Queue", name("notifications-queue"));
        const dlq = res.named("aws:sqs/queue:Queue", name("notifications-dlq"));
        assert.deepEqual(JSON.parse(q.inputs.redrivePolicy), { deadLetterTargetArn: dlqArn(), maxReceiveCount: 3 });
        assert.equal(dlq.inputs.messageRetentionSeconds, 14 * 24 * 3600);
        assert.equal(q.inputs.sqsManagedSseEnabled, true);
        assert.equal(dlq.inputs.sqsManagedSseEnabled, true);
      });

      it("gives the queue a visibility timeout of at least 6× the processor's timeout", () => {
        const q = res.named("aws:sqs/queue:Queue", name("notifications-queue"));
        const p = res.fn("processor", e.stage);
        assert.ok(q.inputs.visibilityTimeoutSeconds >= 6 * p.inputs.timeout, `${q.inputs.visibilityTimeoutSeconds} < 6 × ${p.inputs.timeout}`);
      });

      it("lets only this topic send to the queue", () => {
        const p = res.one("aws:sqs/queuePolicy:QueuePolicy");
        assert.equal(p.inputs.queueUrl, `https://sqs.${e.region}.amazonaws.com/${ACCOUNT}/${name("notifications-queue")}`);
        assert.deepEqual(JSON.parse(p.inputs.policy).Statement, [
          {
            Sid: "OnlyTheNotificationsTopicSends",
            Effect: "Allow",
            Principal: { Service: "sns.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: queueArn(),
            Condition: { ArnEquals: { "aws:SourceArn": topicArn() } },
          },
        ]);
      });

      it("subscribes the queue to the topic with raw message delivery", () => {
        const s = res.one("aws:sns/topicSubscription:TopicSubscription", (r) => r.inputs.protocol === "sqs");
        assert.equal(s.inputs.topic, topicArn());
        assert.equal(s.inputs.endpoint, queueArn());
        assert.equal(s.inputs.rawMessageDelivery, true);
      });
    });

    describe("parameters", () => {
      it("stores the ntfy URL, configured or generated, as a String parameter", () => {
        const p = res.named("aws:ssm/parameter:Parameter", `/rez-agent/${e.stage}/ntfy-url`);
        assert.equal(p.inputs.type, "String");
        assert.equal(reveal(p.inputs.value), ntfyUrlInUse(res, e));
      });

      it("stores api-key, configured or generated, as a SecureString", () => {
        const p = res.named("aws:ssm/parameter:Parameter", `/rez-agent/${e.stage}/api-key`);
        assert.equal(p.inputs.type, "SecureString");
        assert.ok(isSecret(p.inputs.value), "the value stays a Pulumi secret");
        assert.equal(reveal(p.inputs.value), apiKeyInUse(res, e));
        assert.equal(p.inputs.keyId, e.parameterKmsKeyArn);
      });

      it("stores ntfy-token as a SecureString from the secret config, or omits it when unset", () => {
        const found = res.ofType("aws:ssm/parameter:Parameter").filter((p) => p.inputs.name === `/rez-agent/${e.stage}/ntfy-token`);
        if (e.ntfyToken === undefined) {
          assert.equal(found.length, 0);
        } else {
          assert.equal(found.length, 1);
          assert.equal(found[0].inputs.type, "SecureString");
          assert.ok(isSecret(found[0].inputs.value), "the value stays a Pulumi secret");
          assert.equal(reveal(found[0].inputs.value), e.ntfyToken);
          assert.equal(found[0].inputs.keyId, e.parameterKmsKeyArn);
        }
      });
    });

    describe("functions", () => {
      const sizes: Record<string, [number, number]> = {
        scheduler: [256, 60],
        processor: [128, 300],
        webapi: [256, 30],
        "load-message": [128, 15],
        "send-notification": [128, 20],
        "record-status": [128, 15],
      };

      it("declares exactly the six functions", () => {
        assert.deepEqual(
          res.ofType("aws:lambda/function:Function").map((f) => f.inputs.name).sort(),
          SIX.map(name).sort(),
        );
      });

      for (const fn of SIX) {
        it(`${fn}: provided.al2023, bootstrap, its zip, the architecture, memory/timeout, versions, tracing`, async () => {
          const f = res.fn(fn, e.stage);
          const zip: string = await f.inputs.code.path;
          assert.equal(f.inputs.runtime, "provided.al2023");
          assert.equal(f.inputs.handler, "bootstrap");
          assert.ok(zip.endsWith(`${path.sep}${fn}.zip`), zip);
          assert.deepEqual(f.inputs.architectures, [e.architecture]);
          assert.equal(f.inputs.memorySize, sizes[fn][0]);
          assert.equal(f.inputs.timeout, sizes[fn][1]);
          assert.equal(f.inputs.publish, true);
          assert.deepEqual(f.inputs.tracingConfig, { mode: e.enableXRay ? "Active" : "PassThrough" });
          assert.equal(f.inputs.loggingConfig.logFormat, "JSON");
          assert.equal(f.inputs.loggingConfig.applicationLogLevel, e.logLevel);
          assert.equal(f.inputs.loggingConfig.logGroup, `/aws/lambda/${name(fn)}`);
        });

        it(`${fn}: has its own log group with the configured retention and its own role`, () => {
          const lg = res.named("aws:cloudwatch/logGroup:LogGroup", `/aws/lambda/${name(fn)}`);
          assert.equal(lg.inputs.retentionInDays, e.logRetentionDays);
          const f = res.fn(fn, e.stage);
          const others = SIX.filter((o) => o !== fn).map((o) => res.fn(o, e.stage).inputs.role);
          assert.ok(!others.includes(f.inputs.role), "roles are not shared");
          const role = res.one("aws:iam/role:Role", (r) => r.state.arn === f.inputs.role);
          assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement, [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ]);
        });

        it(`${fn}: has a live alias on the published version (blue-green)`, () => {
          const a = res.alias(fn, e.stage);
          assert.equal(a.inputs.name, "live");
          assert.equal(a.inputs.functionVersion, "1");
        });
      }

      it("gives each function exactly the environment variables it needs", () => {
        const env = (fn: string) => res.fn(fn, e.stage).inputs.environment.variables;
        const base = { REZ_TABLE_NAME: name("messages"), REZ_STAGE: e.stage };
        assert.deepEqual(env("scheduler"), { ...base, REZ_TOPIC_ARN: topicArn(), REZ_QUEUE_URL: queueUrl(), REZ_DLQ_URL: dlqUrl() });
        assert.deepEqual(env("processor"), { ...base, REZ_STATE_MACHINE_ARN: smArn(), REZ_QUEUE_URL: queueUrl() });
        assert.deepEqual(env("webapi"), {
          ...base,
          REZ_TOPIC_ARN: topicArn(),
          REZ_QUEUE_URL: queueUrl(),
          REZ_DLQ_URL: dlqUrl(),
          REZ_EXECUTION_LOG_GROUP: `/aws/vendedlogs/states/${name("notification")}`,
          REZ_API_KEY_PARAMETER: `/rez-agent/${e.stage}/api-key`,
          ...(e.corsOrigins ? { REZ_CORS_ORIGINS: e.corsOrigins.join(",") } : {}),
          REZ_SCHEDULE_GROUP: name("schedules"),
          REZ_SCHEDULE_TARGET_ARN: aliasArn("scheduler"),
          REZ_SCHEDULE_ROLE_ARN: schedulerRoleArn(),
          REZ_SCHEDULE_DLQ_ARN: scheduleDlqArn(),
          REZ_CONFIGURATION_SCHEDULE: e.schedulerCron,
        });
        assert.deepEqual(env("load-message"), base);
        assert.deepEqual(env("record-status"), base);
        assert.deepEqual(env("send-notification"), {
          ...base,
          REZ_NTFY_URL_PARAMETER: `/rez-agent/${e.stage}/ntfy-url`,
          ...(e.ntfyToken ? { REZ_NTFY_TOKEN_PARAMETER: `/rez-agent/${e.stage}/ntfy-token` } : {}),
        });
      });

      it("gives each task function a timeout above its state's TimeoutSeconds in the definition", () => {
        const def = JSON.parse(fs.readFileSync(DEFINITION_FILE, "utf8"));
        let checked = 0;
        for (const [state, s] of Object.entries<any>(def.States)) {
          if (s.Type !== "Task") continue;
          const fn = TASKS[/^\$\{(\w+)\}$/.exec(s.Resource)![1]];
          assert.ok(s.TimeoutSeconds, `${state} has TimeoutSeconds`);
          assert.ok(res.fn(fn, e.stage).inputs.timeout > s.TimeoutSeconds, `${fn} timeout vs ${state}`);
          checked++;
        }
        assert.equal(checked, 5);
      });

      it("connects the processor to the queue through its live alias: batch 10, partial batch failures", () => {
        const m = res.one("aws:lambda/eventSourceMapping:EventSourceMapping");
        assert.equal(m.inputs.eventSourceArn, queueArn());
        assert.equal(m.inputs.functionName, aliasArn("processor"));
        assert.equal(m.inputs.batchSize, 10);
        assert.deepEqual(m.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
      });
    });

    describe("least-privilege IAM, action by action", () => {
      const logs = (fn: string) => pairs(["logs:CreateLogStream", "logs:PutLogEvents"], [`${logArn(`/aws/lambda/${name(fn)}`)}:*`]);
      const xray = () => (e.enableXRay ? pairs(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"]) : []);
      const kms = (needed: boolean) => (e.parameterKmsKeyArn && needed ? pairs(["kms:Decrypt"], [e.parameterKmsKeyArn]) : []);
      const sorted = (xs: string[]) => [...new Set(xs)].sort();
      const rw = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"];

      it("scheduler: its logs, the table (transaction items, read-back, the status index), publishing, counting the queues and peeking the DLQ", () => {
        const indexes = ["stage-created_date-index", "status-created_date-index"].map((i) => `${tableArn()}/index/${i}`);
        assert.deepEqual(
          grants(fnPolicy("scheduler")),
          sorted([
            ...logs("scheduler"),
            ...xray(),
            ...pairs(["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:Query"], [tableArn()]),
            ...pairs(["dynamodb:DeleteItem"], [tableArn()]),
            ...pairs(["dynamodb:Query"], indexes),
            ...pairs(["sqs:GetQueueAttributes"], [queueArn(), dlqArn()]),
            ...pairs(["sqs:ReceiveMessage", "sqs:ChangeMessageVisibility"], [dlqArn()]),
            ...pairs(["sns:Publish"], [topicArn()]),
          ]),
        );
      });

      it("processor: its logs, consuming its queue and setting its records' redelivery, StartSyncExecution on the state machine, giving back claims and recording executions", () => {
        assert.deepEqual(
          grants(fnPolicy("processor")),
          sorted([
            ...logs("processor"),
            ...xray(),
            ...pairs(rw, [tableArn()]),
            ...pairs(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"], [queueArn()]),
            ...pairs(["states:StartSyncExecution"], [smArn()]),
          ]),
        );
      });

      it("webapi: its logs, the table and its two GSIs, publishing, the dead letters and their redrive, the executions' log group, its API key parameter, the schedules of its group and passing the Scheduler role", () => {
        const executionLogs = logArn(`/aws/vendedlogs/states/${name("notification")}`);
        const indexes = ["stage-created_date-index", "status-created_date-index"].map((i) => `${tableArn()}/index/${i}`);
        assert.deepEqual(
          grants(fnPolicy("webapi")),
          sorted([
            ...logs("webapi"),
            ...xray(),
            ...pairs(
              ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"],
              [tableArn()],
            ),
            ...pairs(["dynamodb:DeleteItem"], [tableArn()]),
            ...pairs(["dynamodb:Query"], indexes),
            ...pairs(["sns:Publish"], [topicArn()]),
            ...pairs(["sqs:GetQueueAttributes"], [queueArn(), dlqArn()]),
            ...pairs(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"], [dlqArn()]),
            ...pairs(["sqs:SendMessage"], [queueArn()]),
            ...pairs(["logs:FilterLogEvents"], [executionLogs, `${executionLogs}:*`]),
            ...pairs(["ssm:GetParameter", "ssm:GetParameters"], [paramArn("api-key")]),
            ...kms(true),
            ...pairs(SCHEDULE_ACTIONS, [definedSchedulesArn()]),
            ...pairs(["iam:PassRole"], [schedulerRoleArn()]),
          ]),
        );
      });

      it("load-message: its logs, reading and transitioning messages", () => {
        assert.deepEqual(grants(fnPolicy("load-message")), sorted([...logs("load-message"), ...xray(), ...pairs(rw, [tableArn()])]));
      });

      it("record-status: its logs, reading and recording status", () => {
        assert.deepEqual(grants(fnPolicy("record-status")), sorted([...logs("record-status"), ...xray(), ...pairs(rw, [tableArn()])]));
      });

      it("send-notification: its logs, its ntfy parameters (and their key when customer-managed)", () => {
        assert.deepEqual(
          grants(fnPolicy("send-notification")),
          sorted([
            ...logs("send-notification"),
            ...xray(),
            ...pairs(["ssm:GetParameter", "ssm:GetParameters"], [paramArn("ntfy-url"), ...(e.ntfyToken ? [paramArn("ntfy-token")] : [])]),
            ...kms(e.ntfyToken !== undefined),
          ]),
        );
      });

      it("lets the webapi and the scheduler delete only schedule items, never a message", () => {
        const deleters: string[] = [];
        for (const r of res.ofType("aws:iam/rolePolicy:RolePolicy")) {
          for (const s of JSON.parse(r.inputs.policy).Statement) {
            if (!s.Action.includes("dynamodb:DeleteItem")) continue;
            deleters.push(r.inputs.name);
            assert.deepEqual(s.Action, ["dynamodb:DeleteItem"], r.inputs.name);
            assert.deepEqual(s.Condition, { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["schedule#*"] } }, r.inputs.name);
          }
        }
        assert.deepEqual(deleters.sort(), [`${name("scheduler")}-policy`, `${name("webapi")}-policy`]);
      });

      it("grants the customer-managed key only through SSM", () => {
        for (const r of res.ofType("aws:iam/rolePolicy:RolePolicy")) {
          for (const s of JSON.parse(r.inputs.policy).Statement) {
            if (!s.Action.includes("kms:Decrypt")) continue;
            assert.deepEqual(s.Condition, { StringEquals: { "kms:ViaService": `ssm.${e.region}.amazonaws.com` } });
          }
        }
      });

      it("never allows a * action, a * resource only for X-Ray and Step Functions log delivery, and wildcards only in log streams and the webapi's schedules of its group", () => {
        const starOk = /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/;
        const policies = res.ofType("aws:iam/rolePolicy:RolePolicy");
        assert.equal(policies.length, 8, "six functions, the state machine, the schedule");
        for (const p of policies) {
          for (const g of grants(JSON.parse(p.inputs.policy))) {
            const [action, resource] = g.split(" ");
            assert.ok(!action.includes("*"), `${p.name}: ${action}`);
            if (resource === definedSchedulesArn()) {
              // The schedules people define are named by their ids, unknown to the program.
              assert.equal(p.inputs.name, `${name("webapi")}-policy`, `${p.name}: ${g}: only the webapi manages the group's schedules`);
              assert.ok(SCHEDULE_ACTIONS.includes(action), `${p.name}: ${g}`);
            } else if (resource !== "*" && resource.includes("*")) {
              assert.match(resource, /:log-group:[^*]+:\*$/, `${p.name}: ${g}: only a log group's streams and the group's schedules may be wildcarded`);
            }
            if (resource === "*") assert.match(action, starOk, `${p.name}: ${g}`);
          }
        }
      });
    });

    describe("workflow", () => {
      const sm = () => res.named("aws:sfn/stateMachine:StateMachine", name("notification"));

      it("is an EXPRESS state machine", () => {
        assert.equal(sm().inputs.type, "EXPRESS");
      });

      it("substitutes every placeholder of the definition with the live alias ARN of its function", () => {
        const template = fs.readFileSync(DEFINITION_FILE, "utf8");
        const deployed: string = sm().inputs.definition;
        assert.doesNotMatch(deployed, /\$\{/);
        let expected = template;
        for (const [p, fn] of Object.entries(TASKS)) expected = expected.split("${" + p + "}").join(aliasArn(fn));
        assert.deepEqual(JSON.parse(deployed), JSON.parse(expected));
        const def = JSON.parse(deployed);
        const tmpl = JSON.parse(template);
        for (const [state, s] of Object.entries<any>(def.States)) {
          if (s.Type !== "Task") continue;
          const placeholder = /^\$\{(\w+)\}$/.exec(tmpl.States[state].Resource)![1];
          assert.equal(s.Resource, aliasArn(TASKS[placeholder]), state);
        }
      });

      it("deploys a definition (placeholders substituted) that asl-validator accepts, ARN check included", () => {
        // asl-validator ships no types: (definition, options) => { isValid, errors }.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const validate = require("asl-validator") as (d: unknown, o: object) => { isValid: boolean; errors: unknown[] };
        const result = validate(JSON.parse(sm().inputs.definition), { checkArn: true, checkPaths: true });
        assert.ok(result.isValid, JSON.stringify(result.errors));
      });

      it("lets its role invoke every task ARN of the definition and nothing else", () => {
        const def = JSON.parse(sm().inputs.definition);
        const taskArns = [...new Set(Object.values<any>(def.States).filter((s) => s.Type === "Task").map((s) => s.Resource))].sort();
        assert.equal(taskArns.length, 3);
        const policy = res.policyOfRole(sm().inputs.roleArn);
        const lambdaGrants = grants(policy).filter((g) => g.startsWith("lambda:"));
        assert.deepEqual(lambdaGrants, pairs(["lambda:InvokeFunction"], taskArns).sort());
        const role = res.one("aws:iam/role:Role", (r) => r.state.arn === sm().inputs.roleArn);
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal, { Service: "states.amazonaws.com" });
        const other = grants(policy).filter((g) => !g.startsWith("lambda:") && !g.startsWith("logs:") && !g.startsWith("xray:"));
        assert.deepEqual(other, []);
        assert.equal(grants(policy).some((g) => g.startsWith("xray:")), e.enableXRay);
      });

      it("logs ALL with execution data to its own /aws/vendedlogs/states/ log group (ARN ending in :*)", () => {
        const lg = res.named("aws:cloudwatch/logGroup:LogGroup", `/aws/vendedlogs/states/${name("notification")}`);
        assert.equal(lg.inputs.retentionInDays, e.logRetentionDays);
        assert.deepEqual(sm().inputs.loggingConfiguration, {
          level: "ALL",
          includeExecutionData: true,
          logDestination: `${arnOf(lg)}:*`,
        });
      });

      it("traces with X-Ray exactly when enableXRay", () => {
        assert.deepEqual(sm().inputs.tracingConfiguration, { enabled: e.enableXRay });
      });
    });

    describe("schedule", () => {
      it("runs the scheduler's live alias daily on schedulerCron (UTC), no flexible window, with retries", () => {
        const s = res.named("aws:scheduler/schedule:Schedule", name("daily-scheduler"));
        assert.equal(s.inputs.scheduleExpression, e.schedulerCron);
        assert.equal(s.inputs.scheduleExpressionTimezone, "UTC");
        assert.deepEqual(s.inputs.flexibleTimeWindow, { mode: "OFF" });
        assert.equal(s.inputs.target.arn, aliasArn("scheduler"));
        assert.deepEqual(JSON.parse(s.inputs.target.input), { scheduled_time: "<aws.scheduler.scheduled-time>" });
        assert.ok(s.inputs.target.retryPolicy.maximumRetryAttempts >= 1);
        assert.ok(s.inputs.target.retryPolicy.maximumEventAgeInSeconds >= 60);
      });

      it("uses its own role, which may invoke only the scheduler function and send only to the schedule's DLQ", () => {
        const s = res.named("aws:scheduler/schedule:Schedule", name("daily-scheduler"));
        const role = res.one("aws:iam/role:Role", (r) => r.state.arn === s.inputs.target.roleArn);
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal, { Service: "scheduler.amazonaws.com" });
        assert.deepEqual(grants(res.policyOfRole(s.inputs.target.roleArn)), [
          `lambda:InvokeFunction ${aliasArn("scheduler")}`,
          `sqs:SendMessage arn:aws:sqs:${e.region}:${ACCOUNT}:${name("schedule-dlq")}`,
        ]);
      });

      it("runs the reconciler every five minutes through the same function and role", () => {
        const daily = res.named("aws:scheduler/schedule:Schedule", name("daily-scheduler"));
        const r = res.named("aws:scheduler/schedule:Schedule", name("reconcile"));
        assert.equal(r.inputs.scheduleExpression, "rate(5 minutes)");
        assert.deepEqual(r.inputs.flexibleTimeWindow, { mode: "OFF" });
        assert.equal(r.inputs.target.arn, aliasArn("scheduler"));
        assert.equal(r.inputs.target.roleArn, daily.inputs.target.roleArn);
        assert.deepEqual(JSON.parse(r.inputs.target.input), { job: "reconcile" });
        assert.ok(r.inputs.target.retryPolicy.maximumEventAgeInSeconds < 300, "a retry never outlives the next run");
      });

      it("keeps the daily and reconcile schedules in the default group", () => {
        for (const s of res.ofType("aws:scheduler/schedule:Schedule")) assert.equal(s.inputs.groupName, undefined, s.name);
      });

      it("declares one schedule group, rez-agent-schedules-{stage}, a name Scheduler accepts, tagged like the rest", () => {
        const groups = res.ofType("aws:scheduler/scheduleGroup:ScheduleGroup");
        assert.deepEqual(groups.map((g) => g.inputs.name), [name("schedules")]);
        assert.match(groups[0].inputs.name, /^[0-9a-zA-Z_.-]{1,64}$/);
        assert.deepEqual(groups[0].inputs.tags, {
          Project: "rez-agent",
          Stage: e.stage,
          ManagedBy: "pulumi",
          Environment: { dev: "development", stage: "staging", prod: "production" }[e.stage],
        });
      });

      it("tells the webapi to create the schedules people define in that group, as the daily schedule is: its target, role and DLQ; and the daily expression", () => {
        const env = res.fn("webapi", e.stage).inputs.environment.variables;
        const group = res.one("aws:scheduler/scheduleGroup:ScheduleGroup");
        const daily = res.named("aws:scheduler/schedule:Schedule", name("daily-scheduler"));
        assert.equal(env.REZ_SCHEDULE_GROUP, group.inputs.name);
        assert.equal(env.REZ_SCHEDULE_TARGET_ARN, daily.inputs.target.arn);
        assert.equal(env.REZ_SCHEDULE_ROLE_ARN, daily.inputs.target.roleArn);
        assert.deepEqual(daily.inputs.target.deadLetterConfig, { arn: scheduleDlqArn() });
        assert.equal(env.REZ_SCHEDULE_DLQ_ARN, daily.inputs.target.deadLetterConfig.arn);
        assert.equal(env.REZ_CONFIGURATION_SCHEDULE, daily.inputs.scheduleExpression);
        assert.equal(env.REZ_CONFIGURATION_SCHEDULE, e.schedulerCron);
      });

      it("lets the Scheduler role the webapi passes invoke the target and send to the DLQ the webapi gives its schedules", () => {
        const env = res.fn("webapi", e.stage).inputs.environment.variables;
        const role = res.one("aws:iam/role:Role", (r) => r.state.arn === env.REZ_SCHEDULE_ROLE_ARN);
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal, { Service: "scheduler.amazonaws.com" });
        assert.deepEqual(grants(res.policyOfRole(env.REZ_SCHEDULE_ROLE_ARN)), [
          `lambda:InvokeFunction ${env.REZ_SCHEDULE_TARGET_ARN}`,
          `sqs:SendMessage ${env.REZ_SCHEDULE_DLQ_ARN}`,
        ]);
        const dlq = res.one("aws:sqs/queue:Queue", (q) => q.state.arn === env.REZ_SCHEDULE_DLQ_ARN);
        assert.equal(dlq.inputs.name, name("schedule-dlq"));
        assert.equal(dlq.inputs.sqsManagedSseEnabled, true);
      });

      it("lets the webapi manage exactly the schedules of its group, and pass exactly the Scheduler role, only to Scheduler", () => {
        const statements = fnPolicy("webapi").Statement;
        const about = (prefix: string) => statements.filter((s) => s.Action.some((a: string) => a.startsWith(prefix)));
        assert.deepEqual(
          about("scheduler:").map((s) => ({ Action: [...s.Action].sort(), Resource: s.Resource, Condition: s.Condition })),
          [{ Action: [...SCHEDULE_ACTIONS].sort(), Resource: [definedSchedulesArn()], Condition: undefined }],
        );
        assert.deepEqual(
          about("iam:").map((s) => ({ Action: s.Action, Resource: s.Resource, Condition: s.Condition })),
          [
            {
              Action: ["iam:PassRole"],
              Resource: [schedulerRoleArn()],
              Condition: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
            },
          ],
        );
        for (const p of res.ofType("aws:iam/rolePolicy:RolePolicy")) {
          if (p.inputs.name === `${name("webapi")}-policy`) continue;
          const others = grants(JSON.parse(p.inputs.policy)).filter((g) => g.startsWith("scheduler:") || g.startsWith("iam:"));
          assert.deepEqual(others, [], `${p.name}: only the webapi manages schedules or passes a role`);
        }
      });
    });

    describe("HTTP API", () => {
      it("routes $default to the webapi's live alias (proxy, payload 2.0)", () => {
        const api = res.named("aws:apigatewayv2/api:Api", name("api"));
        assert.equal(api.inputs.protocolType, "HTTP");
        const i = res.one("aws:apigatewayv2/integration:Integration");
        assert.equal(i.inputs.apiId, API_ID);
        assert.equal(i.inputs.integrationType, "AWS_PROXY");
        assert.equal(i.inputs.payloadFormatVersion, "2.0");
        assert.equal(i.inputs.integrationUri, res.alias("webapi", e.stage).state.invokeArn);
        assert.ok(i.inputs.integrationUri.includes(aliasArn("webapi")));
        const route = res.one("aws:apigatewayv2/route:Route");
        assert.equal(route.inputs.routeKey, "$default");
        assert.equal(route.inputs.target, `integrations/${i.name}-id`);
      });

      it("auto-deploys the $default stage with access logs of the request's essentials", () => {
        const st = res.one("aws:apigatewayv2/stage:Stage");
        assert.equal(st.inputs.name, "$default");
        assert.equal(st.inputs.autoDeploy, true);
        const lg = res.named("aws:cloudwatch/logGroup:LogGroup", `/aws/apigateway/${name("api")}`);
        assert.equal(lg.inputs.retentionInDays, e.logRetentionDays);
        assert.equal(st.inputs.accessLogSettings.destinationArn, arnOf(lg));
        const format = JSON.parse(st.inputs.accessLogSettings.format);
        for (const v of [
          "$context.requestId",
          "$context.identity.sourceIp",
          "$context.requestTime",
          "$context.httpMethod",
          "$context.routeKey",
          "$context.status",
          "$context.protocol",
          "$context.responseLength",
        ]) {
          assert.ok(Object.values(format).includes(v), v);
        }
      });

      it("lets only this API invoke the webapi's live alias", () => {
        const p = res.one("aws:lambda/permission:Permission");
        assert.equal(p.inputs.function, name("webapi"));
        assert.equal(p.inputs.qualifier, "live");
        assert.equal(p.inputs.action, "lambda:InvokeFunction");
        assert.equal(p.inputs.principal, "apigateway.amazonaws.com");
        assert.equal(p.inputs.sourceArn, `arn:aws:execute-api:${e.region}:${ACCOUNT}:${API_ID}/*/*`);
      });

      it("declares a custom domain and mapping exactly when apiDomain and certificateArn are set", () => {
        const domains = res.ofType("aws:apigatewayv2/domainName:DomainName");
        const mappings = res.ofType("aws:apigatewayv2/apiMapping:ApiMapping");
        if (!e.apiDomain) {
          assert.equal(domains.length, 0);
          assert.equal(mappings.length, 0);
          return;
        }
        assert.equal(domains.length, 1);
        assert.equal(domains[0].inputs.domainName, e.apiDomain);
        assert.deepEqual(domains[0].inputs.domainNameConfiguration, {
          certificateArn: e.certificateArn,
          endpointType: "REGIONAL",
          securityPolicy: "TLS_1_2",
        });
        assert.equal(mappings.length, 1);
        assert.equal(mappings[0].inputs.apiId, API_ID);
        assert.equal(mappings[0].inputs.domainName, e.apiDomain);
        assert.equal(mappings[0].inputs.stage, "$default");
      });
    });

    describe("blue-green", () => {
      it("points every invoker at a live alias, never at an unqualified function", () => {
        const live = SIX.map(aliasArn);
        const invoked = [
          res.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs.functionName,
          res.named("aws:scheduler/schedule:Schedule", name("daily-scheduler")).inputs.target.arn,
          ...Object.values<any>(JSON.parse(res.named("aws:sfn/stateMachine:StateMachine", name("notification")).inputs.definition).States)
            .filter((s) => s.Type === "Task")
            .map((s) => s.Resource),
        ];
        for (const arn of invoked) assert.ok(live.includes(arn), arn);
        assert.match(res.one("aws:apigatewayv2/integration:Integration").inputs.integrationUri, /:live\/invocations$/);
      });

      it("owns each alias's routing: none while nothing is pinned (test/rollout.test.ts covers pins and canaries)", () => {
        for (const fn of SIX) assert.deepEqual(res.alias(fn, e.stage).inputs.routingConfig, { additionalVersionWeights: {} });
      });
    });

    describe("outputs", () => {
      it("exports the table, topic, queues, API, state machine and the executions console URL", () => {
        const o = run.outputs;
        assert.equal(o.dynamodbTableName, name("messages"));
        assert.equal(o.snsTopicArn, topicArn());
        assert.equal(o.sqsQueueUrl, `https://sqs.${e.region}.amazonaws.com/${ACCOUNT}/${name("notifications-queue")}`);
        assert.equal(o.dlqUrl, `https://sqs.${e.region}.amazonaws.com/${ACCOUNT}/${name("notifications-dlq")}`);
        assert.equal(o.apiGatewayId, API_ID);
        assert.equal(o.apiGatewayEndpoint, `https://${API_ID}.execute-api.${e.region}.amazonaws.com`);
        assert.equal(o.webapiUrl, e.apiDomain ? `https://${e.apiDomain}` : o.apiGatewayEndpoint);
        assert.equal(o.stateMachineArn, smArn());
        assert.equal(
          o.stateMachineConsoleUrl,
          `https://${e.region}.console.aws.amazon.com/states/home?region=${e.region}#/v2/statemachines/view/${encodeURIComponent(smArn())}?type=express`,
        );
        assert.deepEqual(o.functionNames, Object.fromEntries(SIX.map((f) => [f, name(f)])));
        if (e.apiDomain) assert.match(String(o.customDomainTarget), /execute-api/);
        else assert.equal(o.customDomainTarget, undefined);
      });
    });
  });
}
