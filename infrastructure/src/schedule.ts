// The daily run and the reconciler: two EventBridge Scheduler schedules
// invoking the scheduler function's `live` alias through a role that may
// invoke only that.

import * as aws from "@pulumi/aws";
import { RezConfig, resourceName } from "./config";
import { inlinePolicy, serviceRole } from "./iam";
import { RezFunction } from "./functions";

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

export interface Schedule {
  schedule: aws.scheduler.Schedule;
  /** The reconciler's schedule. */
  reconcile: aws.scheduler.Schedule;
  role: aws.iam.Role;
  policy: aws.iam.RolePolicy;
}

export function createSchedule(cfg: RezConfig, scheduler: RezFunction): Schedule {
  const name = resourceName(cfg, "daily-scheduler");
  const role = serviceRole(`${name}-role`, "scheduler.amazonaws.com", `EventBridge Scheduler: rez-agent daily run (${cfg.stage})`, cfg.tags);
  const policy = inlinePolicy(`${name}-policy`, role, [
    { Sid: "InvokeSchedulerFunction", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [scheduler.alias.arn] },
  ]);
  // Both schedules invoke the scheduler's alias through the one role, at
  // the time given (flexible window OFF), in UTC.
  const invoke = (
    scheduleName: string,
    description: string,
    scheduleExpression: string,
    input: string,
    retryPolicy: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number },
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
        target: { arn: scheduler.alias.arn, roleArn: role.arn, input, retryPolicy },
      },
      { dependsOn: [policy] },
    );
  const schedule = invoke(name, `rez-agent daily notification (${cfg.stage})`, cfg.schedulerCron, SCHEDULE_INPUT, {
    maximumRetryAttempts: 3,
    maximumEventAgeInSeconds: 3600,
  });
  // The next run comes in five minutes; an old retry would only repeat it.
  const reconcile = invoke(
    resourceName(cfg, "reconcile"),
    `rez-agent reconciler: sends round overdue messages (${cfg.stage})`,
    RECONCILE_EXPRESSION,
    RECONCILE_INPUT,
    { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 240 },
  );
  return { schedule, reconcile, role, policy };
}
