// What the Pulumi program declares, as one document a local run of the whole
// deployment creates its resources from: the stack is run under the harness's
// mocks and every value is read from the recorded resources (their inputs, and
// the ARNs and URLs the mocks give them), so a change in the program shows up
// here. The CLI around it is declare.ts.
//
// Resource types the document describes are below; those it leaves out on
// purpose are in LEFT_OUT with the reason; any other type is an error, as is
// a shape the document cannot hold (two tables, a route to a non-Lambda
// integration). The document's shape is declared-document.ts.

// The harness first: it installs the mocks before the program's modules load.
import { ACCOUNT, PROJECT, REGION, Recorded, reveal, runStack, stackConfig } from "./harness";
import * as path from "path";
import { FUNCTION_NAMES, FunctionName, RawConfig, Stage } from "../src/config";
import type {
  Declared,
  DeclaredFunction,
  DeclaredHttpApi,
  DeclaredQueue,
  DeclaredSchedule,
  DeclaredScheduleGroup,
  DeclaredTable,
} from "./declared-document";
import { functionName } from "../src/functions";
import { DEFAULT_NAME_PREFIX } from "../src/names";
import { defaultBuildDir } from "../src/stack";

const T = {
  fn: "aws:lambda/function:Function",
  alias: "aws:lambda/alias:Alias",
  table: "aws:dynamodb/table:Table",
  topic: "aws:sns/topic:Topic",
  queue: "aws:sqs/queue:Queue",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  parameter: "aws:ssm/parameter:Parameter",
  esm: "aws:lambda/eventSourceMapping:EventSourceMapping",
  schedule: "aws:scheduler/schedule:Schedule",
  scheduleGroup: "aws:scheduler/scheduleGroup:ScheduleGroup",
  api: "aws:apigatewayv2/api:Api",
  integration: "aws:apigatewayv2/integration:Integration",
  route: "aws:apigatewayv2/route:Route",
  stage: "aws:apigatewayv2/stage:Stage",
  stateMachine: "aws:sfn/stateMachine:StateMachine",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
} as const;

/** Types declared but not described, and why a local run does without them. */
export const LEFT_OUT: Record<string, string> = {
  "aws:iam/role:Role": "permissions are not enforced locally",
  "aws:iam/rolePolicy:RolePolicy": "permissions are not enforced locally",
  "aws:lambda/permission:Permission": "resource policies are not enforced locally",
  "aws:sqs/queuePolicy:QueuePolicy": "resource policies are not enforced locally",
  "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "resource policies are not enforced locally",
  "aws:cloudwatch/logGroup:LogGroup": "the local services log to their own output",
  [T.alarm]: "no alarms run locally (their topic and its subscriptions are left out with them)",
  "aws:apigatewayv2/domainName:DomainName": "a local API is served on a local port, not a custom domain",
  "aws:apigatewayv2/apiMapping:ApiMapping": "a local API is served on a local port, not a custom domain",
  "random:index/randomPassword:RandomPassword": "a generated value: the document holds it where it is used, in its SSM parameter",
  "random:index/randomString:RandomString": "a generated value: the document holds it where it is used, in its SSM parameter",
};

/** Thrown when the program declares something this document cannot describe. */
export class DescribeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DescribeError";
  }
}

const label = (r: Recorded) => `${r.type} '${r.name}'`;

function fail(r: Recorded, what: string): never {
  throw new DescribeError(`${label(r)}: ${what}`);
}

function str(r: Recorded, v: unknown, field: string): string {
  const x = reveal(v);
  if (typeof x !== "string") fail(r, `${field} is ${x === undefined ? "not set" : `not a string (${JSON.stringify(x)})`}`);
  return x;
}

function optStr(r: Recorded, v: unknown, field: string): string | null {
  return reveal(v) === undefined || reveal(v) === null ? null : str(r, v, field);
}

/**
 * The log group a state machine logs to, by name, from its logging
 * destination (`arn:aws:logs:<region>:<account>:log-group:<name>:*`); null
 * when it logs nowhere.
 */
function logGroupOf(sm: Recorded): string | null {
  const logging = reveal(sm.inputs.loggingConfiguration) as { level?: unknown; logDestination?: unknown } | undefined;
  if (logging === undefined || logging === null || reveal(logging.level) === "OFF") return null;
  const destination = optStr(sm, logging.logDestination, "loggingConfiguration.logDestination");
  if (destination === null) return null;
  const match = /:log-group:(.+?)(:\*)?$/.exec(destination);
  if (match === null) fail(sm, `loggingConfiguration.logDestination '${destination}' is not a log group ARN`);
  return match[1];
}

function optNum(r: Recorded, v: unknown, field: string): number | null {
  const x = reveal(v);
  if (x === undefined || x === null) return null;
  const n = typeof x === "string" && x.trim() !== "" ? Number(x) : x;
  if (typeof n !== "number" || !Number.isFinite(n)) fail(r, `${field} is not a number (${JSON.stringify(x)})`);
  return n;
}

function optBool(r: Recorded, v: unknown, field: string): boolean | null {
  const x = reveal(v);
  if (x === undefined || x === null) return null;
  if (typeof x !== "boolean") fail(r, `${field} is not a boolean (${JSON.stringify(x)})`);
  return x;
}

function strings(r: Recorded, v: unknown, field: string): string[] {
  const x = reveal(v);
  if (x === undefined || x === null) return [];
  if (!Array.isArray(x)) fail(r, `${field} is not a list`);
  return x.map((e, i) => str(r, e, `${field}[${i}]`));
}

/** Inputs that would change how the resource behaves, which the document has no member for. */
function refuse(r: Recorded, fields: string[]): void {
  for (const f of fields) {
    const v = reveal(r.inputs[f]);
    if (v !== undefined && v !== null && v !== false) fail(r, `declares ${f}, which the document cannot describe`);
  }
}

function exactlyOne(rs: Recorded[], what: string): Recorded {
  if (rs.length !== 1) {
    throw new DescribeError(`the document holds exactly one ${what}; the program declares ${rs.length}${rs.length ? `: ${rs.map((r) => r.name).join(", ")}` : ""}`);
  }
  return rs[0];
}

/** Describes the resources of one run of the stack for `stage`, whose names begin with `namePrefix`. */
export async function describe(resources: Recorded[], stage: string, namePrefix: string = DEFAULT_NAME_PREFIX): Promise<Declared> {
  // In a stable order (by name), whatever order the mocks saw them in.
  const of = (type: string) => resources.filter((r) => r.type === type).sort((a, b) => a.name.localeCompare(b.name));
  const described = new Set<string>(Object.values(T));
  for (const r of resources) {
    if (!described.has(r.type) && !(r.type in LEFT_OUT)) {
      fail(r, "this type is neither described nor left out on purpose: describe it in declared.ts or add it to LEFT_OUT with the reason");
    }
  }

  // The alarms' topics (the ARNs their actions notify) go with the alarms.
  const alarmTopicArns = new Set<string>(
    of(T.alarm).flatMap((a) => ["alarmActions", "okActions", "insufficientDataActions"].flatMap((k) => (a.inputs[k] ?? []) as string[])),
  );
  const topics = of(T.topic).filter((t) => !alarmTopicArns.has(t.state.arn));
  const subscriptions = of(T.subscription).filter((s) => !alarmTopicArns.has(s.inputs.topic));

  const table = exactlyOne(of(T.table), "DynamoDB table");
  const topic = exactlyOne(topics, "SNS topic (besides the alarms')");

  return {
    stage,
    region: REGION,
    account: ACCOUNT,
    functions: await describeFunctions(of(T.fn), of(T.alias), { stage: stage as Stage, namePrefix }),
    table: describeTable(table),
    topic: { name: str(topic, topic.inputs.name, "name"), arn: str(topic, topic.state.arn, "arn") },
    queues: of(T.queue).map(describeQueue),
    subscriptions: subscriptions.map((s) => {
      refuse(s, ["filterPolicy", "redrivePolicy"]);
      return {
        topicArn: str(s, s.inputs.topic, "topic"),
        protocol: str(s, s.inputs.protocol, "protocol"),
        endpoint: str(s, s.inputs.endpoint, "endpoint"),
        rawMessageDelivery: optBool(s, s.inputs.rawMessageDelivery, "rawMessageDelivery"),
      };
    }),
    parameters: of(T.parameter).map((p) => ({
      name: str(p, p.inputs.name, "name"),
      type: str(p, p.inputs.type, "type"),
      value: str(p, p.inputs.value, "value"),
    })),
    eventSourceMappings: of(T.esm).map((m) => {
      refuse(m, ["filterCriteria", "scalingConfig"]);
      const functionArn = str(m, m.inputs.functionName, "functionName");
      if (!functionArn.startsWith("arn:")) fail(m, `functionName '${functionArn}' is not an ARN: the document names the function invoked by its ARN`);
      return {
        eventSourceArn: str(m, m.inputs.eventSourceArn, "eventSourceArn"),
        functionArn,
        batchSize: optNum(m, m.inputs.batchSize, "batchSize"),
        functionResponseTypes: strings(m, m.inputs.functionResponseTypes, "functionResponseTypes"),
        maximumBatchingWindowInSeconds: optNum(m, m.inputs.maximumBatchingWindowInSeconds, "maximumBatchingWindowInSeconds"),
        enabled: optBool(m, m.inputs.enabled, "enabled"),
      };
    }),
    schedules: of(T.schedule).map(describeSchedule),
    scheduleGroups: of(T.scheduleGroup).map(describeScheduleGroup),
    httpApis: describeApis(of(T.api), of(T.integration), of(T.route), of(T.stage)),
    stateMachines: of(T.stateMachine).map((sm) => {
      const definition = str(sm, sm.inputs.definition, "definition");
      if (definition.includes("${")) fail(sm, "the definition still has a `${…}` placeholder");
      return {
        name: str(sm, sm.inputs.name, "name"),
        arn: str(sm, sm.state.arn, "arn"),
        type: optStr(sm, sm.inputs.type, "type"),
        definition,
        logGroup: logGroupOf(sm),
      };
    }),
  };
}

async function describeFunctions(fns: Recorded[], aliases: Recorded[], naming: { stage: Stage; namePrefix: string }): Promise<DeclaredFunction[]> {
  const keyOf = new Map<string, FunctionName>(FUNCTION_NAMES.map((k) => [functionName(naming, k), k]));
  const seen = new Set<string>();
  const out: DeclaredFunction[] = [];
  for (const f of fns) {
    refuse(f, ["layers", "imageUri", "s3Bucket"]);
    const name = str(f, f.inputs.name, "name");
    const key = keyOf.get(name);
    if (key === undefined) fail(f, `'${name}' is none of the functions of config.ts (${[...keyOf.keys()].join(", ")})`);
    if (seen.has(key)) fail(f, `a second function for '${key}'`);
    seen.add(key);
    const mine = aliases.filter((a) => a.inputs.functionName === name || a.inputs.functionName === f.state.arn);
    const alias = exactlyOne(mine, `alias of ${name}`);
    const zip = f.inputs.code?.path === undefined ? undefined : await f.inputs.code.path;
    if (typeof zip !== "string") fail(f, "its code is not a file archive (a zip on disk)");
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(f.inputs.environment?.variables ?? {})) env[k] = str(f, v, `environment variable ${k}`);
    const weights: Record<string, number> = {};
    for (const [v, w] of Object.entries(alias.inputs.routingConfig?.additionalVersionWeights ?? {})) {
      weights[v] = optNum(alias, w, `routingConfig weight of version ${v}`) ?? fail(alias, `routingConfig weight of version ${v} is null`);
    }
    out.push({
      key,
      name,
      arn: str(f, f.state.arn, "arn"),
      version: str(f, f.state.version, "version"),
      zip: path.resolve(zip),
      handler: optStr(f, f.inputs.handler, "handler"),
      runtime: optStr(f, f.inputs.runtime, "runtime"),
      architectures: strings(f, f.inputs.architectures, "architectures"),
      memorySize: optNum(f, f.inputs.memorySize, "memorySize"),
      timeout: optNum(f, f.inputs.timeout, "timeout"),
      environment: env,
      alias: {
        name: str(alias, alias.inputs.name, "name"),
        arn: str(alias, alias.state.arn, "arn"),
        functionVersion: str(alias, alias.inputs.functionVersion, "functionVersion"),
        additionalVersionWeights: weights,
      },
    });
  }
  const stray = aliases.filter((a) => !out.some((f) => f.alias.arn === a.state.arn));
  if (stray.length > 0) fail(stray[0], "an alias of no declared function");
  return out.sort((a, b) => FUNCTION_NAMES.indexOf(a.key) - FUNCTION_NAMES.indexOf(b.key));
}

function describeTable(t: Recorded): DeclaredTable {
  const ttl = t.inputs.ttl;
  return {
    name: str(t, t.inputs.name, "name"),
    arn: str(t, t.state.arn, "arn"),
    hashKey: str(t, t.inputs.hashKey, "hashKey"),
    rangeKey: optStr(t, t.inputs.rangeKey, "rangeKey"),
    attributes: (t.inputs.attributes ?? []).map((a: any) => ({ name: str(t, a.name, "attribute name"), type: str(t, a.type, "attribute type") })),
    globalSecondaryIndexes: (t.inputs.globalSecondaryIndexes ?? []).map((g: any) => ({
      name: str(t, g.name, "index name"),
      hashKey: str(t, g.hashKey, "index hashKey"),
      rangeKey: optStr(t, g.rangeKey, "index rangeKey"),
      projectionType: optStr(t, g.projectionType, "index projectionType"),
    })),
    ttlAttribute: ttl && ttl.enabled !== false ? optStr(t, ttl.attributeName, "ttl.attributeName") : null,
  };
}

function describeQueue(q: Recorded): DeclaredQueue {
  refuse(q, ["fifoQueue", "delaySeconds"]);
  let redrivePolicy: DeclaredQueue["redrivePolicy"] = null;
  const text = optStr(q, q.inputs.redrivePolicy, "redrivePolicy");
  if (text !== null) {
    let p: any;
    try {
      p = JSON.parse(text);
    } catch {
      fail(q, `redrivePolicy is not JSON: ${text}`);
    }
    const maxReceiveCount = optNum(q, p.maxReceiveCount, "redrivePolicy.maxReceiveCount");
    if (maxReceiveCount === null) fail(q, "redrivePolicy has no maxReceiveCount");
    redrivePolicy = { deadLetterTargetArn: str(q, p.deadLetterTargetArn, "redrivePolicy.deadLetterTargetArn"), maxReceiveCount };
  }
  return {
    name: str(q, q.inputs.name, "name"),
    arn: str(q, q.state.arn, "arn"),
    url: str(q, q.state.url, "url"),
    visibilityTimeoutSeconds: optNum(q, q.inputs.visibilityTimeoutSeconds, "visibilityTimeoutSeconds"),
    messageRetentionSeconds: optNum(q, q.inputs.messageRetentionSeconds, "messageRetentionSeconds"),
    receiveWaitTimeSeconds: optNum(q, q.inputs.receiveWaitTimeSeconds, "receiveWaitTimeSeconds"),
    redrivePolicy,
  };
}

function describeSchedule(s: Recorded): DeclaredSchedule {
  const target = s.inputs.target ?? fail(s, "has no target");
  const retry = target.retryPolicy;
  return {
    name: str(s, s.inputs.name, "name"),
    scheduleExpression: str(s, s.inputs.scheduleExpression, "scheduleExpression"),
    scheduleExpressionTimezone: optStr(s, s.inputs.scheduleExpressionTimezone, "scheduleExpressionTimezone"),
    state: optStr(s, s.inputs.state, "state"),
    targetArn: str(s, target.arn, "target.arn"),
    input: optStr(s, target.input, "target.input"),
    retryPolicy: retry
      ? {
          maximumRetryAttempts: optNum(s, retry.maximumRetryAttempts, "target.retryPolicy.maximumRetryAttempts"),
          maximumEventAgeInSeconds: optNum(s, retry.maximumEventAgeInSeconds, "target.retryPolicy.maximumEventAgeInSeconds"),
        }
      : null,
  };
}

function describeScheduleGroup(g: Recorded): DeclaredScheduleGroup {
  return { name: str(g, g.inputs.name, "name"), arn: str(g, g.state.arn, "arn") };
}

/** A Lambda proxy integration's URI: the Lambda's invoke ARN, or its ARN itself. */
const INVOKE_ARN = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\/2015-03-31\/functions\/(arn:aws[a-z-]*:lambda:[^/]+)\/invocations$/;

function describeApis(apis: Recorded[], integrations: Recorded[], routes: Recorded[], stages: Recorded[]): DeclaredHttpApi[] {
  const ids = apis.map((a) => a.id);
  if (new Set(ids).size !== ids.length) fail(apis[0], "two APIs share one id under the mocks, so their routes cannot be told apart");
  for (const r of [...integrations, ...routes, ...stages]) {
    if (!ids.includes(r.inputs.apiId)) fail(r, `belongs to no declared API (apiId ${r.inputs.apiId})`);
  }
  return apis.map((api) => {
    if (api.inputs.protocolType !== "HTTP") fail(api, `protocolType is ${api.inputs.protocolType}; the document describes HTTP APIs`);
    const mine = (rs: Recorded[]) => rs.filter((r) => r.inputs.apiId === api.id);
    const described = mine(routes).map((route) => {
      const target = str(route, route.inputs.target, "target");
      const m = /^integrations\/(.+)$/.exec(target);
      const integration = m ? mine(integrations).find((i) => i.id === m[1]) : undefined;
      if (!integration) fail(route, `target '${target}' is no integration of its API`);
      const uri = str(integration, integration.inputs.integrationUri, "integrationUri");
      const functionArn = INVOKE_ARN.exec(uri)?.[1] ?? (/^arn:aws[a-z-]*:lambda:/.test(uri) ? uri : undefined);
      if (functionArn === undefined) fail(integration, `integrationUri '${uri}' is not a Lambda function`);
      return {
        routeKey: str(route, route.inputs.routeKey, "routeKey"),
        integrationType: str(integration, integration.inputs.integrationType, "integrationType"),
        payloadFormatVersion: optStr(integration, integration.inputs.payloadFormatVersion, "payloadFormatVersion"),
        functionArn,
      };
    });
    const unrouted = mine(integrations).filter((i) => !mine(routes).some((r) => r.inputs.target === `integrations/${i.id}`));
    if (unrouted.length > 0) fail(unrouted[0], "no route leads to this integration");
    const stage = mine(stages);
    if (stage.length > 1) fail(stage[1], "a second stage of one API: the document has one set of throttling limits per API");
    const settings = stage[0]?.inputs.defaultRouteSettings;
    return {
      name: str(api, api.inputs.name, "name"),
      routes: described,
      throttlingBurstLimit: optNum(api, settings?.throttlingBurstLimit, "throttlingBurstLimit"),
      throttlingRateLimit: optNum(api, settings?.throttlingRateLimit, "throttlingRateLimit"),
    };
  });
}

export interface DeclareOptions {
  /** The stack whose `Pulumi.<stack>.yaml` configures the run (default dev). */
  stack?: string;
  /** Where the real `<function>.zip` are (default: `<repo>/build`); the program checks they exist. */
  buildDir?: string;
  /** Sets ntfyUrl; without it the stack file's, or the topic the stack generates (a fixed one under the mocks). */
  ntfyUrl?: string;
  /** Sets the apiKey secret; without it the key the stack generates (a fixed one under the mocks). */
  apiKey?: string;
  /** OLD → NEW: under the mocks, every function's environment variable OLD is declared as NEW. */
  renameEnv?: Record<string, string>;
}

/**
 * Runs the stack under the mocks as configured by `options` and describes it.
 * @throws ConfigError when the configuration is invalid or zips are missing;
 * DescribeError when the program declares what the document cannot hold or a
 * rename matches no variable.
 */
export async function declared(options: DeclareOptions = {}): Promise<Declared> {
  const stack = options.stack ?? "dev";
  const extra: Record<string, string> = {};
  if (options.ntfyUrl !== undefined) extra[`${PROJECT}:ntfyUrl`] = options.ntfyUrl;
  if (options.apiKey !== undefined) extra[`${PROJECT}:apiKey`] = options.apiKey;
  const raw: RawConfig = stackConfig(stack, extra, [`${PROJECT}:apiKey`]);
  if (raw.region !== REGION) {
    throw new DescribeError(`Pulumi.${stack}.yaml sets region '${raw.region}'; the mocks shape every ARN for ${REGION}`);
  }
  const renames = options.renameEnv ?? {};
  const renamed = new Set<string>();
  const clashes: string[] = [];
  const rewriteInputs = (type: string, inputs: any): any => {
    const vars = inputs.environment?.variables;
    if (type !== T.fn || vars === undefined) return inputs;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(vars)) {
      const n = renames[k] ?? k;
      if (n !== k) renamed.add(k);
      if (n in out) clashes.push(`${inputs.name}: ${n}`);
      out[n] = v;
    }
    return { ...inputs, environment: { ...inputs.environment, variables: out } };
  };
  const run = await runStack(raw, { buildDir: options.buildDir ?? defaultBuildDir() }, { rewriteInputs });
  const unused = Object.keys(renames).filter((k) => !renamed.has(k));
  if (unused.length > 0) throw new DescribeError(`--rename-env: no declared function has the variable ${unused.join(", ")}`);
  if (clashes.length > 0) throw new DescribeError(`--rename-env: the new name is already a variable of the function (${clashes.join("; ")})`);
  return describe(run.resources, raw.stage ?? "", raw.namePrefix || DEFAULT_NAME_PREFIX);
}
