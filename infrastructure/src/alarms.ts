// CloudWatch alarms on the three ways a notification goes missing: a message
// in the DLQ, a failing processor, a failed or timed-out execution. With
// `alarmEmail` set they notify an SNS topic with that email subscribed.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RezConfig, resourceName } from "./config";

export interface Alarms {
  dlq: aws.cloudwatch.MetricAlarm;
  processorErrors: aws.cloudwatch.MetricAlarm;
  executionsFailed: aws.cloudwatch.MetricAlarm;
  topic?: aws.sns.Topic;
  subscription?: aws.sns.TopicSubscription;
}

export interface AlarmTargets {
  dlqName: pulumi.Input<string>;
  processorFunctionName: pulumi.Input<string>;
  stateMachineArn: pulumi.Input<string>;
}

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
  const actions = topic ? { alarmActions: [topic.arn], okActions: [topic.arn] } : {};

  const dlqAlarmName = resourceName(cfg, "dlq-messages");
  const dlq = new aws.cloudwatch.MetricAlarm(dlqAlarmName, {
    name: dlqAlarmName,
    alarmDescription: "Messages in the dead-letter queue: a notification failed 3 deliveries. Inspect and redrive the DLQ.",
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: targets.dlqName },
    statistic: "Maximum",
    period: 300,
    evaluationPeriods: 1,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    treatMissingData: "notBreaching",
    ...actions,
    tags: cfg.tags,
  });

  const errorsName = resourceName(cfg, "processor-errors");
  const processorErrors = new aws.cloudwatch.MetricAlarm(errorsName, {
    name: errorsName,
    alarmDescription: "The processor function failed more than 5 times in 10 minutes.",
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: targets.processorFunctionName },
    statistic: "Sum",
    period: 600,
    evaluationPeriods: 1,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 5,
    treatMissingData: "notBreaching",
    ...actions,
    tags: cfg.tags,
  });

  const failedName = resourceName(cfg, "executions-failed");
  const metric = (id: string, metricName: string) => ({
    id,
    metric: {
      namespace: "AWS/States",
      metricName,
      dimensions: { StateMachineArn: targets.stateMachineArn },
      period: 300,
      stat: "Sum",
    },
    returnData: false,
  });
  const executionsFailed = new aws.cloudwatch.MetricAlarm(failedName, {
    name: failedName,
    alarmDescription: "Notification executions failed or timed out: see the state machine's executions in the Step Functions console.",
    metricQueries: [
      metric("failed", "ExecutionsFailed"),
      metric("timedout", "ExecutionsTimedOut"),
      { id: "failedortimedout", expression: "FILL(failed, 0) + FILL(timedout, 0)", label: "Executions failed or timed out", returnData: true },
    ],
    evaluationPeriods: 1,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    treatMissingData: "notBreaching",
    ...actions,
    tags: cfg.tags,
  });

  return { dlq, processorErrors, executionsFailed, topic, subscription };
}
