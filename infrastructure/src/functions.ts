// The six Rust Lambdas. Each gets its own log group, its own role (least
// privilege: its log group, X-Ray when enabled, and the statements its code
// needs on exact ARNs), a published version per deployment and a `live` alias
// that everything invokes. Where the alias points (the new version, a pinned
// one, a canary between the two) is the configuration's (src/rollout.ts).

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FunctionName, RezConfig, resourceName, roleName } from "./config";
import { aliasTarget } from "./rollout";
import { Statement, inlinePolicy, logWrites, serviceRole, xrayWrites } from "./iam";

/** The alias every invoker calls. */
export const LIVE_ALIAS = "live";

/** Memory (MB) and timeout (s) of each function. The three task timeouts stay
 * above their state's TimeoutSeconds in the definition (10, 15, 10 s), so the
 * state machine's own timeout is what a hung task hits first. */
export const FUNCTION_SIZES: Record<FunctionName, { memorySize: number; timeout: number; description: string }> = {
  scheduler: { memorySize: 256, timeout: 60, description: "rez-agent: creates the daily scheduled notification" },
  // It waits on StartSyncExecution (I/O, not CPU) and peaked at 7 MB resident: 128 MB, not more.
  processor: { memorySize: 128, timeout: 300, description: "rez-agent: runs the notification workflow for each queued message" },
  webapi: { memorySize: 256, timeout: 30, description: "rez-agent: the HTTP API" },
  "load-message": { memorySize: 128, timeout: 15, description: "rez-agent workflow task: load the message and mark it processing" },
  "send-notification": { memorySize: 128, timeout: 20, description: "rez-agent workflow task: publish the message to ntfy" },
  "record-status": { memorySize: 128, timeout: 15, description: "rez-agent workflow task: record the delivery outcome" },
};

/** A declared function and what belongs to it. */
export interface RezFunction {
  name: FunctionName;
  fn: aws.lambda.Function;
  alias: aws.lambda.Alias;
  role: aws.iam.Role;
  policy: aws.iam.RolePolicy;
  logGroup: aws.cloudwatch.LogGroup;
}

/** What differs between the functions: their environment and their grants. */
export interface FunctionSpec {
  name: FunctionName;
  environment: Record<string, pulumi.Input<string>>;
  /** What the function's code does with AWS, beyond writing its logs. */
  statements: Statement[];
}

/** The physical name of a function (`<namePrefix>-<name>-<stage>`). */
export function functionName(cfg: Pick<RezConfig, "stage" | "namePrefix">, name: FunctionName): string {
  return resourceName(cfg, name);
}

/** Declares one function: its log group, role and policy, the function (publishing a version) and its `live` alias. */
export function createFunction(cfg: RezConfig, spec: FunctionSpec): RezFunction {
  const fnName = functionName(cfg, spec.name);
  const size = FUNCTION_SIZES[spec.name];

  const logGroup = new aws.cloudwatch.LogGroup(`${fnName}-logs`, {
    name: `/aws/lambda/${fnName}`,
    retentionInDays: cfg.logRetentionDays,
    tags: cfg.tags,
  });

  const role = serviceRole(
    `${fnName}-role`,
    roleName(cfg, spec.name),
    "lambda.amazonaws.com",
    `rez-agent ${spec.name} Lambda (${cfg.stage}, ${cfg.region})`,
    cfg.tags,
  );
  const statements: Statement[] = [logWrites(logGroup.arn), ...spec.statements];
  if (cfg.enableXRay) statements.push(xrayWrites());
  const policy = inlinePolicy(`${fnName}-policy`, role, statements);

  const fn = new aws.lambda.Function(
    fnName,
    {
      name: fnName,
      description: size.description,
      runtime: "provided.al2023",
      handler: "bootstrap",
      code: new pulumi.asset.FileArchive(cfg.zips[spec.name]),
      architectures: [cfg.architecture],
      memorySize: size.memorySize,
      timeout: size.timeout,
      role: role.arn,
      publish: true,
      environment: { variables: spec.environment },
      tracingConfig: { mode: cfg.enableXRay ? "Active" : "PassThrough" },
      // JSON logs: Lambda sets AWS_LAMBDA_LOG_FORMAT=JSON and
      // AWS_LAMBDA_LOG_LEVEL=<logLevel>, which lambda_runtime's subscriber
      // honours, and drops JSON lines below the level. At INFO and below a
      // line carries the fields of the INFO spans around it (the request id,
      // and the message and execution ids where the handler has them); EMF
      // metric lines sit beside them.
      loggingConfig: {
        logFormat: "JSON",
        logGroup: logGroup.name,
        applicationLogLevel: cfg.logLevel,
        systemLogLevel: "WARN",
      },
      tags: cfg.tags,
    },
    // The log group exists first (so Lambda does not create one without
    // retention) and the role may write to it before the first invocation.
    { dependsOn: [logGroup, policy] },
  );

  // The routing is the program's: `pulumi up` sets it from pinnedVersions
  // and canaryWeight, and replaces a routing set by hand.
  const target = aliasTarget(cfg.rollout, spec.name, fn.version);
  const alias = new aws.lambda.Alias(`${fnName}-${LIVE_ALIAS}`, {
    name: LIVE_ALIAS,
    description: "The version rez-agent invokes; pin or canary it with the pinnedVersions and canaryWeight config",
    functionName: fn.name,
    functionVersion: target.functionVersion,
    routingConfig: target.routingConfig,
  });

  return { name: spec.name, fn, alias, role, policy, logGroup };
}

/** The environment every function needs: the Rust settings require the table name of all. */
export function baseEnvironment(cfg: RezConfig, tableName: pulumi.Input<string>): Record<string, pulumi.Input<string>> {
  return { REZ_TABLE_NAME: tableName, REZ_STAGE: cfg.stage };
}

/**
 * `REZ_CUSTOM_METRICS=true` when `customMetrics` is set, for the functions that
 * record metric events (webapi, scheduler, record-status): they then write
 * CloudWatch EMF lines, which CloudWatch bills as custom metrics.
 */
export function metricsEnvironment(cfg: RezConfig): Record<string, string> {
  return cfg.customMetrics ? { REZ_CUSTOM_METRICS: "true" } : {};
}
