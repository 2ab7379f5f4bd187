// The daily run and the reconciler: two EventBridge Scheduler schedules
// invoking the scheduler function's `live` alias through a role that may
// invoke only that, and send to the daily run's dead-letter queue: where
// Scheduler puts a daily invocation it could not deliver after its retries.
// Beside them, the stack's schedule group: where the webapi creates the
// schedules people define (`POST /api/schedules`), on the same alias, role,
// retry policy and dead-letter queue. The daily and reconcile schedules stay
// in the `default` group.

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

/**
 * The ARN pattern of every schedule in a group, from the group's ARN:
 * `arn:<partition>:scheduler:<region>:<account>:schedule-group/<name>` gives
 * `arn:<partition>:scheduler:<region>:<account>:schedule/<name>/*`.
 * @throws Error when `groupArn` is not a schedule group's ARN
 */
export function schedulesInGroupArn(groupArn: string): string {
  const m = /^(arn:[a-z-]+:scheduler:[a-z0-9-]+:\d{12}:)schedule-group\/([0-9a-zA-Z_.-]+)$/.exec(groupArn);
  if (!m) throw new Error(`'${groupArn}' is not the ARN of an EventBridge Scheduler schedule group`);
  return `${m[1]}schedule/${m[2]}/*`;
}

/** The schedules, their role, the daily run's dead-letter queue and the group of the schedules people define. */
export interface Schedule {
  schedule: aws.scheduler.Schedule;
  /** The reconciler's schedule. */
  reconcile: aws.scheduler.Schedule;
  /** Where Scheduler puts an invocation it could not deliver, daily or defined (SSE-SQS, 14 days). */
  dlq: aws.sqs.Queue;
  /** The role every schedule runs with: the daily run's, the reconciler's and those the webapi creates. */
  role: aws.iam.Role;
  policy: aws.iam.RolePolicy;
  /** Where the webapi creates the schedules people define, each named by its id. */
  group: aws.scheduler.ScheduleGroup;
}

/**
 * Declares the daily and reconcile schedules on the scheduler function's
 * `live` alias, their role and dead-letter queue, and the group of the
 * schedules people define (which the program declares none of).
 */
export function createSchedule(cfg: RezConfig, scheduler: RezFunction): Schedule {
  const name = resourceName(cfg, "daily-scheduler");
  const groupName = resourceName(cfg, "schedules");
  const group = new aws.scheduler.ScheduleGroup(groupName, { name: groupName, tags: cfg.tags });

  // Kept as long as the notifications DLQ, and encrypted the same way.
  const dlq = deadLetterQueue(cfg, "schedule-dlq");

  const role = serviceRole(
    `${name}-role`,
    roleName(cfg, "daily-scheduler"),
    "scheduler.amazonaws.com",
    `EventBridge Scheduler: rez-agent daily run, reconciler and defined schedules (${cfg.stage}, ${cfg.region})`,
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
  return { schedule, reconcile, dlq, role, policy, group };
}
