// The daily run: an EventBridge Scheduler schedule invoking the scheduler
// function's `live` alias through a role that may invoke only that.

import * as aws from "@pulumi/aws";
import { RezConfig, resourceName } from "./config";
import { inlinePolicy, serviceRole } from "./iam";
import { RezFunction } from "./functions";

/** The target input; the scheduler fills in the time of the run. */
export const SCHEDULE_INPUT = JSON.stringify({ scheduled_time: "<aws.scheduler.scheduled-time>" });

export interface Schedule {
  schedule: aws.scheduler.Schedule;
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
  return { schedule, role, policy };
}
