// Runs the Pulumi program under pulumi.runtime.setMocks (no CLI, no AWS) and
// records every resource it declares, with ARNs shaped like AWS's so policies
// and wiring can be checked against exact values, the generated random values
// as fixed strings, and the resource options the engine would be told.

import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import { RawConfig, readStackConfig } from "../src/config";
import { readStackFile } from "../src/stack-file";
import type { StackOptions, StackOutputs } from "../src/stack";

export const REGION = "us-east-1";
export const ACCOUNT = "123456789012";
export const API_ID = "a1b2c3d4e5";
/** The Pulumi project: the namespace of the program's config keys. */
export const PROJECT = "rez-agent-infrastructure";

/** The resource options of a registration that change what a deploy may do to the resource or its state. */
export interface RecordedOptions {
  protect: boolean;
  retainOnDelete: boolean;
  /** Unset: the provider decides. */
  deleteBeforeReplace?: boolean;
  /** Outputs the state encrypts besides those the inputs make secret. */
  additionalSecretOutputs: string[];
}

export interface Recorded {
  type: string;
  name: string;
  /** The id the mocks gave it (what another resource's `…Id` input holds). */
  id: string;
  inputs: any;
  state: any;
  options: RecordedOptions;
}

export const recorded: Recorded[] = [];

/**
 * What a `random` resource's `result` is under the mocks: `length` characters
 * from the sets its inputs allow, drawn from a hash of its name, so the same
 * resource gets the same value in every run.
 */
export function mockRandomResult(name: string, inputs: any): string {
  const sets: [unknown, string][] = [
    [inputs.lower, "abcdefghijklmnopqrstuvwxyz"],
    [inputs.upper, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"],
    [inputs.numeric, "0123456789"],
    [inputs.special, "!@#$%&*()-_=+[]{}<>:?"],
  ];
  const alphabet = sets.filter(([allowed]) => allowed !== false).map(([, chars]) => chars).join("");
  let bytes = Buffer.alloc(0);
  for (let round = 0; bytes.length < inputs.length; round++) {
    bytes = Buffer.concat([bytes, createHash("sha256").update(`${name}#${round}`).digest()]);
  }
  return [...bytes.subarray(0, inputs.length)].map((b) => alphabet[b % alphabet.length]).join("");
}

function stateFor(type: string, name: string, inputs: any): { id: string; state: any } {
  const version = publishedVersion?.(inputs.name) ?? "1";
  const n = inputs.name ?? name;
  const state: any = { ...inputs };
  let id = `${name}-id`;
  const at = `${REGION}:${ACCOUNT}`;
  switch (type) {
    case "aws:dynamodb/table:Table":
      state.arn = `arn:aws:dynamodb:${at}:table/${n}`;
      id = n;
      break;
    case "aws:sns/topic:Topic":
      state.arn = `arn:aws:sns:${at}:${n}`;
      id = state.arn;
      break;
    case "aws:sns/topicSubscription:TopicSubscription":
      state.arn = `${inputs.topic}:sub-${name}`;
      break;
    case "aws:sqs/queue:Queue":
      state.arn = `arn:aws:sqs:${at}:${n}`;
      state.url = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${n}`;
      id = state.url;
      break;
    case "aws:ssm/parameter:Parameter":
      state.arn = `arn:aws:ssm:${at}:parameter${n}`;
      id = n;
      break;
    case "aws:iam/role:Role":
      state.arn = `arn:aws:iam::${ACCOUNT}:role/${n}`;
      id = n;
      break;
    case "aws:cloudwatch/logGroup:LogGroup":
      state.arn = `arn:aws:logs:${at}:log-group:${n}`;
      id = n;
      break;
    case "aws:lambda/function:Function":
      state.arn = `arn:aws:lambda:${at}:function:${n}`;
      state.version = version;
      state.qualifiedArn = `${state.arn}:${version}`;
      state.invokeArn = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${state.arn}/invocations`;
      id = n;
      break;
    case "aws:lambda/alias:Alias":
      state.arn = `arn:aws:lambda:${at}:function:${inputs.functionName}:${inputs.name}`;
      state.invokeArn = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${state.arn}/invocations`;
      id = state.arn;
      break;
    case "aws:sfn/stateMachine:StateMachine":
      state.arn = `arn:aws:states:${at}:stateMachine:${n}`;
      id = state.arn;
      break;
    case "aws:scheduler/schedule:Schedule":
      state.arn = `arn:aws:scheduler:${at}:schedule/${inputs.groupName ?? "default"}/${n}`;
      break;
    case "aws:scheduler/scheduleGroup:ScheduleGroup":
      state.arn = `arn:aws:scheduler:${at}:schedule-group/${n}`;
      id = n;
      break;
    case "aws:apigatewayv2/api:Api":
      id = API_ID;
      state.apiEndpoint = `https://${API_ID}.execute-api.${REGION}.amazonaws.com`;
      state.executionArn = `arn:aws:execute-api:${at}:${API_ID}`;
      break;
    case "aws:apigatewayv2/domainName:DomainName":
      state.domainNameConfiguration = { ...inputs.domainNameConfiguration, targetDomainName: `d-abc123.execute-api.${REGION}.amazonaws.com` };
      id = inputs.domainName;
      break;
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      state.arn = `arn:aws:cloudwatch:${at}:alarm:${n}`;
      break;
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString":
      state.result = mockRandomResult(name, inputs);
      break;
  }
  return { id, state };
}

/** Changes a resource's inputs before the mocks record it (see MockOptions). */
export type InputRewrite = (type: string, inputs: any) => any;

/** The rewrite of the run in progress, if any. */
let rewrite: InputRewrite | undefined;

/** The version Lambda publishes for each function (by its name) in the run in progress; unset: "1". */
let publishedVersion: ((functionName: string) => string) | undefined;

/** The options of each registration, by `type::name`, until its newResource records them. */
const pendingOptions = new Map<string, RecordedOptions>();

pulumi.runtime.setMocks(
  {
    newResource(args) {
      const inputs = rewrite ? rewrite(args.type, args.inputs) : args.inputs;
      const { id, state } = stateFor(args.type, args.name, inputs);
      const key = `${args.type}::${args.name}`;
      const options = pendingOptions.get(key) ?? { protect: false, retainOnDelete: false, additionalSecretOutputs: [] };
      pendingOptions.delete(key);
      recorded.push({ type: args.type, name: args.name, id, inputs, state, options });
      return { id, state };
    },
    call(args) {
      throw new Error(`the program made an unexpected provider call: ${args.token}`);
    },
  },
  "rez-agent-infrastructure",
  "test",
  false,
);

/**
 * The mocks' newResource is told a registration's type, name and inputs, not
 * its options: they are read here, from the request the SDK sends the mock
 * resource monitor (the engine's side of the boundary).
 */
function recordOptionsOfRegistrations(): void {
  type Monitor = { registerResource(req: RegisterResourceRequest, callback: unknown): unknown };
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    pendingOptions.set(`${req.getType()}::${req.getName()}`, {
      protect: req.getProtect() ?? false,
      retainOnDelete: req.getRetainondelete() ?? false,
      deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    });
    return register(req, callback);
  };
}
recordOptionsOfRegistrations();

/** The value of an Output (mocks resolve everything). */
export function valueOf<T>(o: pulumi.Input<T> | undefined): Promise<T> {
  return new Promise((resolve) => pulumi.output(o as pulumi.Input<T>).apply((v) => resolve(v as T)));
}

/** A build dir with the six zips, made afresh in a temp dir (the zips are fixtures: tiny, valid, empty). */
export function fixtureBuildDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rez-build-"));
  // The smallest valid zip: an end-of-central-directory record.
  const emptyZip = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
  for (const n of ["scheduler", "processor", "webapi", "load-message", "send-notification", "record-status"]) {
    fs.writeFileSync(path.join(dir, `${n}.zip`), emptyZip);
  }
  return dir;
}

/** Waits until no new resource has been registered for a while. */
async function settle(): Promise<void> {
  let last = -1;
  let stable = 0;
  while (stable < 5) {
    await new Promise((r) => setTimeout(r, 10));
    if (recorded.length === last) stable++;
    else {
      stable = 0;
      last = recorded.length;
    }
  }
}

export interface Run {
  outputs: Record<string, unknown>;
  /** The outputs that are Pulumi secrets (shown only with --show-secrets), sorted. */
  secretOutputs: string[];
  resources: Recorded[];
}

export interface MockOptions {
  /**
   * Applied to every resource's inputs before the mocks see them, as if the
   * program had declared the result: a way to make the declared stack differ
   * from the program on purpose.
   */
  rewriteInputs?: InputRewrite;
  /**
   * The version the mocks say Lambda published for a function (by its
   * physical name), as a deploy of new code publishes the next one;
   * default "1" for every function.
   */
  publishedVersion?: (functionName: string) => string;
}

let running = false;

/**
 * Declares the stack with `raw` config and returns its resolved outputs and
 * the resources this run declared (a process may run the stack several times,
 * one run at a time).
 */
export async function runStack(raw: RawConfig, opts: StackOptions = {}, mock: MockOptions = {}): Promise<Run> {
  if (running) throw new Error("runStack: another run is in progress; the mocks are process-wide, so runs go one at a time");
  running = true;
  rewrite = mock.rewriteInputs;
  publishedVersion = mock.publishedVersion;
  const start = recorded.length;
  try {
    const { defineStack } = await import("../src/stack");
    const out: StackOutputs = defineStack(raw, { ...opts, buildDir: opts.buildDir ?? fixtureBuildDir() });
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const [k, v] of Object.entries(out)) {
      if (v === undefined) {
        outputs[k] = undefined;
        continue;
      }
      outputs[k] = await valueOf(v as pulumi.Output<unknown>);
      if (await pulumi.isSecret(v as pulumi.Output<unknown>)) secretOutputs.push(k);
    }
    await settle();
    return { outputs, secretOutputs: secretOutputs.sort(), resources: recorded.slice(start) };
  } finally {
    rewrite = undefined;
    publishedVersion = undefined;
    running = false;
  }
}

/**
 * The raw configuration `pulumi up --stack <stack>` would read: the values of
 * `Pulumi.<stack>.yaml` with `extra` over them (full keys, `project:key`), the
 * `secrets` among them marked secret, read back through pulumi.Config as
 * index.ts reads them. Replaces the process's whole Pulumi configuration.
 */
export function stackConfig(stack: string, extra: Record<string, string> = {}, secrets: string[] = []): RawConfig {
  const file = path.join(__dirname, "..", `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new Error(`no stack file ${file}`);
  pulumi.runtime.setAllConfig({ ...readStackFile(file), ...extra }, secrets);
  return readStackConfig();
}

// ---- queries over the recorded resources

export class Resources {
  constructor(readonly all: Recorded[]) {}

  ofType(type: string): Recorded[] {
    return this.all.filter((r) => r.type === type);
  }

  one(type: string, pred: (r: Recorded) => boolean = () => true): Recorded {
    const found = this.ofType(type).filter(pred);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0];
  }

  named(type: string, name: string): Recorded {
    return this.one(type, (r) => r.inputs.name === name);
  }

  fn(short: string, stage: string): Recorded {
    return this.named("aws:lambda/function:Function", `rez-agent-${short}-${stage}`);
  }

  alias(short: string, stage: string): Recorded {
    return this.one("aws:lambda/alias:Alias", (r) => r.inputs.functionName === `rez-agent-${short}-${stage}`);
  }

  /** The inline policy document of a role, parsed. */
  policyOfRole(roleArn: string): { Statement: any[] } {
    const role = this.one("aws:iam/role:Role", (r) => r.state.arn === roleArn);
    const policies = this.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === `${role.name}-id` || p.inputs.role === role.inputs.name);
    if (policies.length !== 1) throw new Error(`expected one inline policy on ${roleArn}, found ${policies.length}`);
    const attachments = this.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    if (attachments.length !== 0) throw new Error("managed policy attachments: every permission should be inline and scoped");
    return JSON.parse(policies[0].inputs.policy);
  }
}

/** Every (action, resource) pair a policy allows, as "action resource" strings, sorted. */
export function grants(policy: { Statement: any[] }): string[] {
  const out: string[] = [];
  for (const s of policy.Statement) {
    if (s.Effect !== "Allow") throw new Error(`unexpected effect ${s.Effect}`);
    const actions: string[] = Array.isArray(s.Action) ? s.Action : [s.Action];
    const resources: string[] = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    for (const a of actions) for (const r of resources) out.push(`${a} ${r}`);
  }
  return [...new Set(out)].sort();
}

export function pairs(actions: string[], resources: string[]): string[] {
  return actions.flatMap((a) => resources.map((r) => `${a} ${r}`));
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Whether a recorded input is a Pulumi secret (encrypted in the state). */
export function isSecret(v: any): boolean {
  return v !== null && typeof v === "object" && v[SECRET_SIG] === SECRET_VALUE;
}

/** A recorded input with its secret wrapper, if any, taken off. */
export function reveal(v: any): any {
  return isSecret(v) ? v.value : v;
}
