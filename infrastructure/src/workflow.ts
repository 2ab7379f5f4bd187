// The Express state machine: the shared definition with its `${…}` task
// placeholders replaced by the `live` alias ARNs, a role that may invoke
// exactly those, and logging at level ALL with execution data (what makes
// Express executions viewable in the Step Functions console).

import * as fs from "fs";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RezConfig, resourceName, roleName } from "./config";
import { Statement, inlinePolicy, serviceRole } from "./iam";

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** The placeholders a definition uses, in order of first appearance. */
export function placeholdersOf(definition: string): string[] {
  return [...new Set([...definition.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/**
 * Replaces every `${Name}` with `values[Name]`. A placeholder without a value
 * is an error (a definition deployed with a literal `${…}` fails at run time).
 */
export function substituteDefinition(definition: string, values: Record<string, string>): string {
  const unknown = placeholdersOf(definition).filter((p) => !(p in values));
  if (unknown.length > 0) {
    throw new Error(`the state machine definition has placeholders with no value: ${unknown.map((p) => "${" + p + "}").join(", ")}`);
  }
  const out = definition.replace(PLACEHOLDER, (_, name: string) => values[name]);
  JSON.parse(out);
  return out;
}

/** Reads the definition and checks it is JSON whose placeholders are all `known`. */
export function readDefinition(file: string, known: string[]): string {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read the state machine definition ${file}: ${(e as Error).message}`);
  }
  try {
    JSON.parse(text);
  } catch (e) {
    throw new Error(`the state machine definition ${file} is not JSON: ${(e as Error).message}`);
  }
  const unknown = placeholdersOf(text).filter((p) => !known.includes(p));
  if (unknown.length > 0) {
    throw new Error(`the state machine definition ${file} uses placeholders this program does not provide: ${unknown.join(", ")}`);
  }
  return text;
}

export interface Workflow {
  stateMachine: aws.sfn.StateMachine;
  role: aws.iam.Role;
  policy: aws.iam.RolePolicy;
  logGroup: aws.cloudwatch.LogGroup;
}

/**
 * @param definition the definition text (see readDefinition)
 * @param tasks each placeholder name → the ARN it stands for (the `live` alias ARNs)
 */
export function createWorkflow(
  cfg: RezConfig,
  definition: string,
  tasks: Record<string, pulumi.Input<string>>,
): Workflow {
  const name = resourceName(cfg, "notification");

  const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
    name: `/aws/vendedlogs/states/${name}`,
    retentionInDays: cfg.logRetentionDays,
    tags: cfg.tags,
  });

  const role = serviceRole(
    `${name}-sfn-role`,
    roleName(cfg, "notification"),
    "states.amazonaws.com",
    `rez-agent notification state machine (${cfg.stage}, ${cfg.region})`,
    cfg.tags,
  );
  const taskArns = [...new Set(Object.values(tasks))];
  const statements: Statement[] = [
    { Sid: "InvokeTaskFunctions", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: taskArns },
    {
      // CloudWatch Logs delivery for Step Functions works through these
      // account-level APIs, which take no resource: AWS requires `*`.
      Sid: "DeliverExecutionLogs",
      Effect: "Allow",
      Action: [
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
      ],
      Resource: ["*"],
    },
  ];
  if (cfg.enableXRay) {
    statements.push({
      Sid: "XRayTraces",
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
      Resource: ["*"],
    });
  }
  const policy = inlinePolicy(`${name}-sfn-policy`, role, statements);

  const names = Object.keys(tasks);
  const substituted = pulumi
    .all(names.map((n) => pulumi.output(tasks[n])))
    .apply((arns) => substituteDefinition(definition, Object.fromEntries(names.map((n, i) => [n, arns[i]]))));

  const stateMachine = new aws.sfn.StateMachine(
    name,
    {
      name,
      type: "EXPRESS",
      roleArn: role.arn,
      definition: substituted,
      loggingConfiguration: {
        level: "ALL",
        includeExecutionData: true,
        logDestination: pulumi.interpolate`${logGroup.arn}:*`,
      },
      tracingConfiguration: { enabled: cfg.enableXRay },
      tags: cfg.tags,
    },
    // CreateStateMachine checks that the role may already deliver logs.
    { dependsOn: [policy] },
  );

  return { stateMachine, role, policy, logGroup };
}

/** The console page that lists the Express executions (from the log group). */
export function executionsConsoleUrl(region: string, stateMachineArn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi
    .output(stateMachineArn)
    .apply(
      (arn) =>
        `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/statemachines/view/${encodeURIComponent(arn)}?type=express`,
    );
}
