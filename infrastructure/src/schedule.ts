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
  const schedule = new aws.scheduler.Schedule(
    name,
    {
      name,
      description: `rez-agent daily notification (${cfg.stage})`,
      scheduleExpression: cfg.schedulerCron,
      scheduleExpressionTimezone: "UTC",
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: {
        arn: scheduler.alias.arn,
        roleArn: role.arn,
        input: SCHEDULE_INPUT,
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
    },
    { dependsOn: [policy] },
  );
  const reconcileName = resourceName(cfg, "reconcile");
  const reconcile = new aws.scheduler.Schedule(
    reconcileName,
    {
      name: reconcileName,
      description: `rez-agent reconciler: sends round overdue messages (${cfg.stage})`,
      scheduleExpression: RECONCILE_EXPRESSION,
      scheduleExpressionTimezone: "UTC",
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: {
        arn: scheduler.alias.arn,
        roleArn: role.arn,
        input: RECONCILE_INPUT,
        // The next run comes in five minutes; an old retry only repeats it.
        retryPolicy: { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 240 },
      },
    },
    { dependsOn: [policy] },
  );
  return { schedule, reconcile, role, policy };
}
