// The whole deployment, composed from the parts. Everything that can be wrong
// with the configuration (values, zips, the definition's placeholders) is
// checked before the first resource is declared.

import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createAlarms } from "./alarms";
import { createApi } from "./api";
import { FunctionName, RawConfig, RezConfig, loadConfig, resourceName } from "./config";
import { FUNCTION_SIZES, RezFunction, baseEnvironment, createFunction, metricsEnvironment } from "./functions";
import { configuredOrGeneratedApiKey, configuredOrGeneratedNtfyUrl } from "./generated";
import { Statement } from "./iam";
import { createMessaging } from "./messaging";
import { createParameters } from "./parameters";
import { createSchedule, schedulesInGroupArn } from "./schedule";
import { createStorage } from "./storage";
import { createWorkflow, executionsConsoleUrl, readDefinition } from "./workflow";

/** Each placeholder of the definition → the task function it stands for. */
export const TASK_PLACEHOLDERS: Record<string, FunctionName> = {
  LoadMessageFunctionArn: "load-message",
  SendNotificationFunctionArn: "send-notification",
  RecordStatusFunctionArn: "record-status",
};

/** The repository root, seen from this file (src/ or bin/src/). */
function repoRoot(): string {
  let dir = path.resolve(__dirname, "..", "..");
  if (path.basename(path.resolve(__dirname, "..")) === "bin") dir = path.resolve(dir, "..");
  return dir;
}

/** Where `make build` leaves the function zips: `<repo>/build`. */
export function defaultBuildDir(): string {
  return path.join(repoRoot(), "build");
}

/** Where the program finds what it deploys; tests point it at fixtures. */
export interface StackOptions {
  /** Where `<name>.zip` of each function is (default: `<repo>/build`). */
  buildDir?: string;
  /** Injected by tests to point at fixtures without touching the disk. */
  fileExists?: (file: string) => boolean;
  /** Default: `<repo>/statemachine/notification.asl.json`. */
  definitionPath?: string;
}

/** The stack's outputs, as index.ts exports them. */
export interface StackOutputs {
  dynamodbTableName: pulumi.Output<string>;
  snsTopicArn: pulumi.Output<string>;
  sqsQueueUrl: pulumi.Output<string>;
  dlqUrl: pulumi.Output<string>;
  apiGatewayId: pulumi.Output<string>;
  apiGatewayEndpoint: pulumi.Output<string>;
  webapiUrl: pulumi.Output<string>;
  stateMachineArn: pulumi.Output<string>;
  stateMachineConsoleUrl: pulumi.Output<string>;
  /** The log group the state machine logs its executions to (what `make smoke` reads them from). */
  executionLogGroupName: pulumi.Output<string>;
  /** The names of the stack's CloudWatch alarms, which scripts/rollout.sh watches during a canary. */
  alarmNames: pulumi.Output<string[]>;
  /** The regional domain to point a CNAME/alias record at, when a custom domain is set. */
  customDomainTarget?: pulumi.Output<string>;
  functionNames: pulumi.Output<Record<FunctionName, string>>;
  /** The API key the webapi checks, configured or generated: a secret output. */
  apiKey: pulumi.Output<string>;
  /** The ntfy topic the notifications go to, configured or generated: a secret output. */
  ntfyTopicUrl: pulumi.Output<string>;
}

/** Checks the configuration, then declares every resource of the stack; returns its outputs. */
export function defineStack(raw: RawConfig, opts: StackOptions = {}): StackOutputs {
  const root = repoRoot();
  const cfg: RezConfig = loadConfig(raw, {
    buildDir: opts.buildDir ?? defaultBuildDir(),
    fileExists: opts.fileExists,
  });
  const definition = readDefinition(
    opts.definitionPath ?? path.join(root, "statemachine", "notification.asl.json"),
    Object.keys(TASK_PLACEHOLDERS),
  );

  // ---- storage, messaging, parameters
  const { table, indexArns } = createStorage(cfg);
  const messaging = createMessaging(cfg, FUNCTION_SIZES.processor.timeout);
  const apiKey = configuredOrGeneratedApiKey(cfg);
  const ntfyTopicUrl = configuredOrGeneratedNtfyUrl(cfg);
  const params = createParameters(cfg, { ntfyUrl: ntfyTopicUrl, ntfyToken: cfg.ntfyToken, apiKey });

  const tableStatement = (sid: string, actions: string[]): Statement => ({
    Sid: sid,
    Effect: "Allow",
    Action: actions,
    Resource: [table.arn],
  });
  // The Rust store writes in TransactWriteItems of conditional Puts (the
  // message, its idempotency item) and an Update (the metrics counters): each
  // item of a transaction needs its own action. Reads by id are a Query on the
  // table (the key includes created_date) or a GetItem.
  const readAndTransition = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"];
  // A schedule people define is an item `schedule#<id>` in the table; the
  // webapi deletes it (DELETE /api/schedules/{id}) and the scheduler deletes
  // a one-time schedule once it fired. DeleteItem is granted on those items
  // only: messages are never deleted by a function.
  const deleteScheduleItems: Statement = {
    Sid: "DeleteScheduleItems",
    Effect: "Allow",
    Action: ["dynamodb:DeleteItem"],
    Resource: [table.arn],
    Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["schedule#*"] } },
  };
  const publish: Statement = { Sid: "PublishNotifications", Effect: "Allow", Action: ["sns:Publish"], Resource: [messaging.topic.arn] };
  // The Rust functions read all their parameters with one GetParameters call
  // (one round trip in the cold start); GetParameter stays granted so a
  // function still running the previous code keeps working during a deploy.
  const readParameters = (sid: string, arns: pulumi.Input<string>[]): Statement[] => {
    const out: Statement[] = [{ Sid: sid, Effect: "Allow", Action: ["ssm:GetParameter", "ssm:GetParameters"], Resource: arns }];
    if (cfg.parameterKmsKeyArn) {
      // With the AWS-managed aws/ssm key the key policy already allows
      // decryption through SSM; a customer-managed key needs this grant.
      out.push({
        Sid: "DecryptParameters",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: [cfg.parameterKmsKeyArn],
        Condition: { StringEquals: { "kms:ViaService": `ssm.${cfg.region}.amazonaws.com` } },
      });
    }
    return out;
  };

  // ---- the task functions, then the workflow that invokes them
  const fns = {} as Record<FunctionName, RezFunction>;
  fns["load-message"] = createFunction(cfg, {
    name: "load-message",
    environment: baseEnvironment(cfg, table.name),
    statements: [tableStatement("ReadAndTransitionMessages", readAndTransition)],
  });
  const ntfyParams = [params.ntfyUrl, ...(params.ntfyToken ? [params.ntfyToken] : [])];
  fns["send-notification"] = createFunction(cfg, {
    name: "send-notification",
    environment: {
      ...baseEnvironment(cfg, table.name),
      REZ_NTFY_URL_PARAMETER: params.ntfyUrl.name,
      ...(params.ntfyToken ? { REZ_NTFY_TOKEN_PARAMETER: params.ntfyToken.name } : {}),
    },
    statements: readParameters(
      "ReadNtfyParameters",
      ntfyParams.map((p) => p.arn),
    ).filter((s) => s.Sid !== "DecryptParameters" || params.ntfyToken !== undefined),
  });
  fns["record-status"] = createFunction(cfg, {
    name: "record-status",
    environment: { ...baseEnvironment(cfg, table.name), ...metricsEnvironment(cfg) },
    statements: [tableStatement("ReadAndRecordStatus", readAndTransition)],
  });

  const tasks = Object.fromEntries(
    Object.entries(TASK_PLACEHOLDERS).map(([placeholder, fn]) => [placeholder, fns[fn].alias.arn]),
  );
  const workflow = createWorkflow(cfg, definition, tasks);

  // ---- the entry functions
  // The processor hides a record it reports as failed for 30 s, 2 min or
  // 10 min by its receive count (ChangeMessageVisibility, REZ_QUEUE_URL),
  // never longer than the queue's visibility timeout, which it reads once
  // per container (GetQueueAttributes).
  fns.processor = createFunction(cfg, {
    name: "processor",
    environment: {
      ...baseEnvironment(cfg, table.name),
      REZ_STATE_MACHINE_ARN: workflow.stateMachine.arn,
      REZ_QUEUE_URL: messaging.queue.url,
    },
    statements: [
      {
        Sid: "ConsumeQueue",
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
        Resource: [messaging.queue.arn],
      },
      {
        Sid: "RunWorkflow",
        Effect: "Allow",
        Action: ["states:StartSyncExecution"],
        Resource: [workflow.stateMachine.arn],
      },
      // An execution that ended without recording an outcome (timed out,
      // failed transiently) gets its claim on the message given back; each
      // execution's summary is recorded (PutItem) for GET /api/executions.
      tableStatement("GiveBackClaimsAndRecordExecutions", readAndTransition),
    ],
  });
  fns.scheduler = createFunction(cfg, {
    name: "scheduler",
    environment: {
      ...baseEnvironment(cfg, table.name),
      ...metricsEnvironment(cfg),
      REZ_TOPIC_ARN: messaging.topic.arn,
      REZ_QUEUE_URL: messaging.queue.url,
      REZ_DLQ_URL: messaging.dlq.url,
    },
    statements: [
      tableStatement("StoreScheduledMessages", [
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:GetItem",
        "dynamodb:Query",
      ]),
      deleteScheduleItems,
      // The reconcile job lists the open statuses from the status index,
      // and marks failed the messages of the dead letters it peeks at.
      { Sid: "ListOpenMessagesByIndex", Effect: "Allow", Action: ["dynamodb:Query"], Resource: indexArns },
      { Sid: "CountQueues", Effect: "Allow", Action: ["sqs:GetQueueAttributes"], Resource: [messaging.queue.arn, messaging.dlq.arn] },
      // Each ReceiveMessage of the sweep hides what it returned, so the next
      // one returns others; the sweep then makes them visible again.
      {
        Sid: "PeekDeadLetters",
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:ChangeMessageVisibility"],
        Resource: [messaging.dlq.arn],
      },
      publish,
    ],
  });
  // The schedules, their role and DLQ, and the group of the schedules people
  // define: declared before the webapi, which creates those schedules in the
  // group with that role and DLQ (the role depends on the scheduler's alias,
  // never on the webapi).
  const schedule = createSchedule(cfg, fns.scheduler);
  fns.webapi = createFunction(cfg, {
    name: "webapi",
    environment: {
      ...baseEnvironment(cfg, table.name),
      ...metricsEnvironment(cfg),
      REZ_TOPIC_ARN: messaging.topic.arn,
      REZ_QUEUE_URL: messaging.queue.url,
      REZ_DLQ_URL: messaging.dlq.url,
      REZ_EXECUTION_LOG_GROUP: workflow.logGroup.name,
      REZ_API_KEY_PARAMETER: params.apiKey.name,
      // The origins the webapi's own CORS layer allows, as API Gateway's do.
      ...(cfg.corsOrigins.length > 0 ? { REZ_CORS_ORIGINS: cfg.corsOrigins.join(",") } : {}),
      // POST /api/schedules creates each schedule in the stack's group, on the
      // scheduler's alias, with the daily run's role and DLQ; the daily
      // run's expression is shown as the configuration's own schedule.
      REZ_SCHEDULE_GROUP: schedule.group.name,
      REZ_SCHEDULE_TARGET_ARN: fns.scheduler.alias.arn,
      REZ_SCHEDULE_ROLE_ARN: schedule.role.arn,
      REZ_SCHEDULE_DLQ_ARN: schedule.dlq.arn,
      REZ_CONFIGURATION_SCHEDULE: cfg.schedulerCron,
    },
    statements: [
      tableStatement("ReadAndWriteMessages", [
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:ConditionCheckItem",
      ]),
      deleteScheduleItems,
      { Sid: "ListMessagesByIndex", Effect: "Allow", Action: ["dynamodb:Query"], Resource: indexArns },
      publish,
      // GET /api/dlq counts both queues and peeks the DLQ; POST
      // /api/dlq/redrive receives from the DLQ, sends to the queue, deletes
      // what it sent and makes visible again what it was not asked to move.
      { Sid: "CountQueues", Effect: "Allow", Action: ["sqs:GetQueueAttributes"], Resource: [messaging.queue.arn, messaging.dlq.arn] },
      {
        Sid: "ReadAndRedriveDeadLetters",
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
        Resource: [messaging.dlq.arn],
      },
      { Sid: "RedriveToQueue", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [messaging.queue.arn] },
      // GET /api/executions/{id} reads the execution's history from the
      // state machine's log group (Step Functions keeps none for Express).
      {
        Sid: "ReadExecutionHistory",
        Effect: "Allow",
        Action: ["logs:FilterLogEvents"],
        Resource: [workflow.logGroup.arn, pulumi.interpolate`${workflow.logGroup.arn}:*`],
      },
      ...readParameters("ReadApiKey", [params.apiKey.arn]),
      // The schedules people define: only those in the stack's group, and
      // only the Scheduler role may be handed to them, only to Scheduler.
      {
        Sid: "ManageDefinedSchedules",
        Effect: "Allow",
        Action: ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"],
        Resource: [schedule.group.arn.apply(schedulesInGroupArn)],
      },
      {
        Sid: "PassScheduleRole",
        Effect: "Allow",
        Action: ["iam:PassRole"],
        Resource: [schedule.role.arn],
        Condition: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
      },
    ],
  });

  // ---- wiring: queue → processor, API → webapi (the schedules are above)
  new aws.lambda.EventSourceMapping(`${resourceName(cfg, "processor")}-sqs`, {
    eventSourceArn: messaging.queue.arn,
    functionName: fns.processor.alias.arn,
    batchSize: 10,
    functionResponseTypes: ["ReportBatchItemFailures"],
    enabled: true,
    tags: cfg.tags,
  }, { dependsOn: [fns.processor.policy] });
  const api = createApi(cfg, fns.webapi);

  const alarms = createAlarms(cfg, {
    dlqName: messaging.dlq.name,
    processorFunctionName: fns.processor.fn.name,
    stateMachineArn: workflow.stateMachine.arn,
    schedulerFunctionName: fns.scheduler.fn.name,
    scheduleDlqName: schedule.dlq.name,
    apiId: api.api.id,
    apiStage: api.stage.name,
  });

  return {
    dynamodbTableName: table.name,
    snsTopicArn: messaging.topic.arn,
    sqsQueueUrl: messaging.queue.url,
    dlqUrl: messaging.dlq.url,
    apiGatewayId: api.api.id,
    apiGatewayEndpoint: api.api.apiEndpoint,
    webapiUrl: api.url,
    stateMachineArn: workflow.stateMachine.arn,
    stateMachineConsoleUrl: executionsConsoleUrl(cfg.region, workflow.stateMachine.arn),
    executionLogGroupName: workflow.logGroup.name,
    alarmNames: pulumi.all(Object.values(alarms.alarms).map((a) => a.name)),
    customDomainTarget: api.domain?.domainNameConfiguration.targetDomainName,
    functionNames: pulumi.output(
      Object.fromEntries(Object.entries(fns).map(([k, f]) => [k, f.fn.name])) as Record<FunctionName, pulumi.Output<string>>,
    ) as pulumi.Output<Record<FunctionName, string>>,
    apiKey: pulumi.secret(apiKey),
    ntfyTopicUrl: pulumi.secret(ntfyTopicUrl),
  };
}
