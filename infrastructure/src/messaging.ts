// SNS topic → SQS queue (raw delivery) with a dead-letter queue. The queue
// accepts messages from this topic only.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RezConfig, resourceName } from "./config";

export const MAX_RECEIVE_COUNT = 3;
export const DLQ_RETENTION_SECONDS = 14 * 24 * 60 * 60;

export interface Messaging {
  topic: aws.sns.Topic;
  queue: aws.sqs.Queue;
  dlq: aws.sqs.Queue;
  queuePolicy: aws.sqs.QueuePolicy;
  subscription: aws.sns.TopicSubscription;
}

/**
 * @param processorTimeoutSeconds the processor's timeout: AWS asks for a
 * visibility timeout of at least six times it for an SQS event source.
 */
export function createMessaging(cfg: RezConfig, processorTimeoutSeconds: number): Messaging {
  const topicName = resourceName(cfg, "notifications");
  const topic = new aws.sns.Topic(topicName, {
    name: topicName,
    // The AWS-managed key: publishers need no KMS permission, and SNS
    // decrypts before delivering to the queue.
    kmsMasterKeyId: "alias/aws/sns",
    tags: cfg.tags,
  });

  const dlq = deadLetterQueue(cfg, "notifications-dlq");

  const queueName = resourceName(cfg, "notifications-queue");
  const queue = new aws.sqs.Queue(queueName, {
    name: queueName,
    visibilityTimeoutSeconds: 6 * processorTimeoutSeconds,
    messageRetentionSeconds: 4 * 24 * 60 * 60,
    receiveWaitTimeSeconds: 20,
    // SSE-SQS (not a KMS key) so that SNS can deliver without key grants.
    sqsManagedSseEnabled: true,
    redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: MAX_RECEIVE_COUNT }),
    tags: cfg.tags,
  });

  new aws.sqs.RedriveAllowPolicy(`${resourceName(cfg, "notifications-dlq")}-redrive-allow`, {
    queueUrl: dlq.url,
    redriveAllowPolicy: pulumi.jsonStringify({ redrivePermission: "byQueue", sourceQueueArns: [queue.arn] }),
  });

  const queuePolicy = new aws.sqs.QueuePolicy(`${queueName}-policy`, {
    queueUrl: queue.url,
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "OnlyTheNotificationsTopicSends",
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: queue.arn,
          Condition: { ArnEquals: { "aws:SourceArn": topic.arn } },
        },
      ],
    }),
  });

  const subscription = new aws.sns.TopicSubscription(
    `${topicName}-to-queue`,
    { topic: topic.arn, protocol: "sqs", endpoint: queue.arn, rawMessageDelivery: true },
    { dependsOn: [queuePolicy] },
  );

  return { topic, queue, dlq, queuePolicy, subscription };
}

/** A dead-letter queue `rez-agent-<what>-<stage>`: kept DLQ_RETENTION_SECONDS, encrypted with SSE-SQS. */
export function deadLetterQueue(cfg: RezConfig, what: string): aws.sqs.Queue {
  const name = resourceName(cfg, what);
  return new aws.sqs.Queue(name, {
    name,
    messageRetentionSeconds: DLQ_RETENTION_SECONDS,
    sqsManagedSseEnabled: true,
    tags: cfg.tags,
  });
}
