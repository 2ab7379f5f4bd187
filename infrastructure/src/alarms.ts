// CloudWatch alarms on the ways a notification goes missing: a delivery that
// failed (a failed or timed-out execution, a message in the DLQ), a
// processor that cannot run, an HTTP API answering 5xx, a failed daily run
// (the scheduler function's errors, or an invocation Scheduler could not
// deliver). With `alarmEmail` set they notify an SNS topic with that email
// subscribed. CloudWatch bills each alarm per metric it evaluates, so each
// alarm here reads as few metrics as it can (ALARM_METRICS).

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RezConfig, resourceName } from "./config";

/** The period every alarm evaluates, in seconds: one period, so it fires within about five minutes. */
export const ALARM_PERIOD_SECONDS = 300;

/** What a standard-resolution alarm costs a month per metric it evaluates (us-east-1 list price, before the free tier's 10). */
export const ALARM_PRICE_PER_METRIC_USD = 0.1;

/** Each alarm, by what its name says (`rez-agent-<what>-<stage>`) → how many metrics it evaluates. */
export const ALARM_METRICS = {
  "dlq-messages": 1,
  "executions-failed": 1,
  "processor-errors": 1,
  "scheduler-errors": 1,
  "schedule-dlq-messages": 1,
  "api-5xx": 1,
} as const;
/** An alarm, by what its name says. */
export type AlarmName = keyof typeof ALARM_METRICS;

/** The alarms, and the topic they notify when `alarmEmail` is set. */
export interface Alarms {
  alarms: Record<AlarmName, aws.cloudwatch.MetricAlarm>;
  topic?: aws.sns.Topic;
  subscription?: aws.sns.TopicSubscription;
}

/** What the alarms watch. */
export interface AlarmTargets {
  /** The notifications' dead-letter queue. */
  dlqName: pulumi.Input<string>;
  processorFunctionName: pulumi.Input<string>;
  stateMachineArn: pulumi.Input<string>;
  schedulerFunctionName: pulumi.Input<string>;
  /** The daily schedule's dead-letter queue. */
  scheduleDlqName: pulumi.Input<string>;
  apiId: pulumi.Input<string>;
  /** The HTTP API's stage (`$default`): the `Stage` dimension of its metrics. */
  apiStage: pulumi.Input<string>;
}

/** One metric, its statistic over ALARM_PERIOD_SECONDS, alarming above `threshold`. */
interface Watch {
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  statistic: "Sum" | "Maximum";
  threshold: number;
}

/** Declares the alarms (and their topic when `alarmEmail` is set). */
export function createAlarms(cfg: RezConfig, targets: AlarmTargets): Alarms {
  let topic: aws.sns.Topic | undefined;
  let subscription: aws.sns.TopicSubscription | undefined;
  if (cfg.alarmEmail) {
    const topicName = resourceName(cfg, "alarms");
    // Unencrypted on purpose: CloudWatch cannot publish to a topic under the
    // AWS-managed SNS key, and alarm messages carry no message content.
    topic = new aws.sns.Topic(topicName, { name: topicName, tags: cfg.tags });
    subscription = new aws.sns.TopicSubscription(`${topicName}-email`, {
      topic: topic.arn,
      protocol: "email",
      endpoint: cfg.alarmEmail,
    });
  }
  // Every alarm: one period, notBreaching when the metric has no data (an
  // idle queue or function publishes none), the topic on ALARM and on OK.
  const common = {
    evaluationPeriods: 1,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    ...(topic ? { alarmActions: [topic.arn], okActions: [topic.arn] } : {}),
    tags: cfg.tags,
  };
  const watch = (what: AlarmName, w: Watch) => {
    const name = resourceName(cfg, what);
    return new aws.cloudwatch.MetricAlarm(name, {
      name,
      alarmDescription: w.description,
      namespace: w.namespace,
      metricName: w.metricName,
      dimensions: w.dimensions,
      statistic: w.statistic,
      period: ALARM_PERIOD_SECONDS,
      threshold: w.threshold,
      ...common,
    });
  };
  const logs = (fn: string) => `/aws/lambda/${resourceName(cfg, fn)}`;

  const dlq = watch("dlq-messages", {
    description:
      `A notification failed 3 deliveries and is in the DLQ ${resourceName(cfg, "notifications-dlq")}. ` +
      "Read it (GET /api/dlq, or aws sqs receive-message --queue-url $(pulumi stack output dlqUrl)), " +
      "find its failed executions in the Step Functions console, fix the cause, then redrive the DLQ (POST /api/dlq/redrive).",
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: targets.dlqName },
    statistic: "Maximum",
    threshold: 0,
  });

  // A processor error is a crash, a timeout or a failed start, never a
  // failed delivery (those are batchItemFailures): its whole batch comes
  // back only after the queue's visibility timeout, so errors come one per
  // batch and half an hour apart, and the first one is the alarm.
  const processorErrors = watch("processor-errors", {
    description:
      "The processor function failed an invocation (crashed, timed out, or could not start): its whole batch returns to the queue " +
      `after the 30-minute visibility timeout. Read the error in ${logs("processor")} (aws logs tail ${logs("processor")} --since 30m), ` +
      "fix it (a bad deploy: move the live alias back to the previous version).",
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: targets.processorFunctionName },
    statistic: "Sum",
    threshold: 0,
  });

  const schedulerErrors = watch("scheduler-errors", {
    description:
      "The scheduler function failed: a daily run (Lambda retries it twice, then drops it) or a reconcile run. " +
      `Read the error in ${logs("scheduler")}. A daily run that failed created no notification: once fixed, invoke it by hand ` +
      "with its scheduled_time (infrastructure/README.md, Troubleshooting).",
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: targets.schedulerFunctionName },
    statistic: "Sum",
    threshold: 0,
  });

  const scheduleDlq = watch("schedule-dlq-messages", {
    description:
      `EventBridge Scheduler could not invoke the scheduler function for a daily run, after its retries, and left the run in ${resourceName(cfg, "schedule-dlq")}. ` +
      "Read the dead-letter event (aws sqs receive-message --message-attribute-names All): it says why. Fix that, invoke the missed run by hand " +
      "with its scheduled_time (infrastructure/README.md, Troubleshooting), then delete the message.",
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: targets.scheduleDlqName },
    statistic: "Maximum",
    threshold: 0,
  });

  const api5xx = watch("api-5xx", {
    description:
      "The HTTP API answered 5xx: the webapi failed (500) or cannot read its API key (503 from /api/health says why), " +
      `or the webapi Lambda failed or timed out. Read status and integrationError in /aws/apigateway/${resourceName(cfg, "api")}, ` +
      `then the error in ${logs("webapi")}.`,
    namespace: "AWS/ApiGateway",
    metricName: "5xx",
    dimensions: { ApiId: targets.apiId, Stage: targets.apiStage },
    statistic: "Sum",
    threshold: 0,
  });

  // ExecutionsFailed alone: the definition's longest path (every attempt
  // timing out, every retry waiting its longest) takes 208 of the
  // execution's 240 s, so a timed-out execution is a service fault; its
  // record comes back and, after maxReceiveCount deliveries, the DLQ alarm
  // fires. Watching ExecutionsTimedOut too would double this alarm's price.
  const executionsFailed = watch("executions-failed", {
    description:
      "A notification execution failed: a delivery failed (a permanent error such as Ntfy.Rejected is not retried) " +
      "or its outcome was not recorded. Open the executions (pulumi stack output stateMachineConsoleUrl) and read the failed one's error and cause.",
    namespace: "AWS/States",
    metricName: "ExecutionsFailed",
    dimensions: { StateMachineArn: targets.stateMachineArn },
    statistic: "Sum",
    threshold: 0,
  });

  return {
    alarms: {
      "dlq-messages": dlq,
      "executions-failed": executionsFailed,
      "processor-errors": processorErrors,
      "scheduler-errors": schedulerErrors,
      "schedule-dlq-messages": scheduleDlq,
      "api-5xx": api5xx,
    },
    topic,
    subscription,
  };
}
