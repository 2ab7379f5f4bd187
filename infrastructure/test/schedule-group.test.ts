// The ARN pattern the webapi's grant names: every schedule of the stack's
// group, derived from the group's ARN (the stack runs assert the result).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { schedulesInGroupArn } from "../src/schedule";

describe("schedulesInGroupArn", () => {
  for (const [group, schedules] of [
    [
      "arn:aws:scheduler:us-east-1:123456789012:schedule-group/rez-agent-schedules-dev",
      "arn:aws:scheduler:us-east-1:123456789012:schedule/rez-agent-schedules-dev/*",
    ],
    [
      "arn:aws-us-gov:scheduler:us-gov-west-1:123456789012:schedule-group/my.group_1",
      "arn:aws-us-gov:scheduler:us-gov-west-1:123456789012:schedule/my.group_1/*",
    ],
  ]) {
    it(`gives ${schedules} for ${group}`, () => {
      assert.equal(schedulesInGroupArn(group), schedules);
    });
  }

  for (const [why, arn] of [
    ["a schedule's ARN", "arn:aws:scheduler:us-east-1:123456789012:schedule/default/rez-agent-daily-scheduler-dev"],
    ["another service's ARN", "arn:aws:events:us-east-1:123456789012:schedule-group/rez-agent-schedules-dev"],
    ["a group ARN without an account", "arn:aws:scheduler:us-east-1::schedule-group/rez-agent-schedules-dev"],
    ["a group name that is a wildcard", "arn:aws:scheduler:us-east-1:123456789012:schedule-group/*"],
  ]) {
    it(`refuses ${why}, naming it`, () => {
      assert.throws(() => schedulesInGroupArn(arn), (e: unknown) => e instanceof Error && e.message.includes(`'${arn}' is not the ARN`));
    });
  }
});
