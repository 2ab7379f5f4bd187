// The daily run and the reconciler: two EventBridge Scheduler schedules
// invoking the scheduler function's `live` alias through a role that may
// invoke only that, and send to the daily run's dead-letter queue: where
// Scheduler puts a daily invocation it could not deliver after its retries.

import * as aws from "@pulumi/aws";
import { RezConfig, resourceName, roleName } from "./config";
import { inlinePolicy, serviceRole } from "./iam";
import { RezFunction } from "./functions";
import { deadLetterQueue } from "./messaging";

/** The target input; the scheduler fills in the time of the run. */
export const SCHEDULE_INPUT = JSON.stringify({ scheduled_time: "<aws.scheduler.scheduled-time>" });

/** The reconcile schedule's input: one bounded run of the reconciler. */
export const RECONCILE_INPUT = JSON.stringify({ job: "reconcile" });

/**
 * How often the reconciler runs: it sends round what no queue record or
 * execution will move on (a message stored but not published, a claim whose
 * execution died, a deferred message after ntfy's quota reset). Every five
 * minutes is 8,640 invocations a month, inside Lambda's and Scheduler's free
 * tiers; `rez-agent up` runs it as often.
 */
export const RECONCILE_EXPRESSION = "rate(5 minutes)";

/** How a schedule retries an invocation Lambda refuses (throttling, a missing permission): Scheduler's retryPolicy. */
export interface RetryPolicy {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
}

/**
 * The daily run's retries: 3 more attempts within an hour, then the
 * invocation goes to the schedule's dead-letter queue. Scheduler invokes
 * Lambda asynchronously, so these cover only a refused invocation; an
 * invocation the function fails is retried by Lambda (twice) and shows in
 * the scheduler's `Errors`.
 */
export const DAILY_RETRY_POLICY: RetryPolicy = { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 };

/**
 * The reconciler's retries: one, within 4 minutes, and no dead-letter queue:
 * the next run comes in five minutes, and an old one would only repeat it.
 */
export const RECONCILE_RETRY_POLICY: RetryPolicy = { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 240 };

/** The schedules, their role and the daily run's dead-letter queue. */
export interface Schedule {
  schedule: aws.scheduler.Schedule;
  /** The reconciler's schedule. */
  reconcile: aws.scheduler.Schedule;
  /** Where Scheduler puts a daily invocation it could not deliver (SSE-SQS, 14 days). */
  dlq: aws.sqs.Queue;
  role: aws.iam.Role;
  policy: aws.iam.RolePolicy;
}

/** Declares the daily and reconcile schedules on the scheduler function's `live` alias. */
export function createSchedule(cfg: RezConfig, scheduler: RezFunction): Schedule {
  const name = resourceName(cfg, "daily-scheduler");

  // Kept as long as the notifications DLQ, and encrypted the same way.
  const dlq = deadLetterQueue(cfg, "schedule-dlq");

  const role = serviceRole(
    `${name}-role`,
    roleName(cfg, "daily-scheduler"),
    "scheduler.amazonaws.com",
    `EventBridge Scheduler: rez-agent daily run and reconciler (${cfg.stage}, ${cfg.region})`,
    cfg.tags,
  );
  // Scheduler sends to a target's dead-letter queue with the schedule's role.
  const policy = inlinePolicy(`${name}-policy`, role, [
    { Sid: "InvokeSchedulerFunction", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [scheduler.alias.arn] },
    { Sid: "DeadLetterUndeliveredRuns", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [dlq.arn] },
  ]);
  // Both schedules invoke the scheduler's alias through the one role, at
  // the time given (flexible window OFF), in UTC.
  const invoke = (
    scheduleName: string,
    description: string,
    scheduleExpression: string,
    input: string,
    retryPolicy: RetryPolicy,
    deadLetterArn?: aws.sqs.Queue["arn"],
  ) =>
    new aws.scheduler.Schedule(
      scheduleName,
      {
        name: scheduleName,
        description,
        scheduleExpression,
        scheduleExpressionTimezone: "UTC",
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: {
          arn: scheduler.alias.arn,
          roleArn: role.arn,
          input,
          retryPolicy,
          ...(deadLetterArn ? { deadLetterConfig: { arn: deadLetterArn } } : {}),
        },
      },
      { dependsOn: [policy] },
    );
  const schedule = invoke(name, `rez-agent daily notification (${cfg.stage})`, cfg.schedulerCron, SCHEDULE_INPUT, DAILY_RETRY_POLICY, dlq.arn);
  const reconcile = invoke(
    resourceName(cfg, "reconcile"),
    `rez-agent reconciler: sends round overdue messages (${cfg.stage})`,
    RECONCILE_EXPRESSION,
    RECONCILE_INPUT,
    RECONCILE_RETRY_POLICY,
  );
  return { schedule, reconcile, dlq, role, policy };
}
