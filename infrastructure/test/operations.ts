// What an operator relies on, asserted for every scenario (registered by
// commonSuite): IAM role names that carry the region (so the same stage
// deploys to a second region) within IAM's limit, the configured log level
// on every function, and the outputs that `make smoke` and
// scripts/rollout.sh read.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Resources, Run } from "./harness";
import type { Expect } from "./common";
import { FUNCTION_NAMES, IAM_ROLE_NAME_MAX, ROLE_OWNERS } from "../src/config";

/** Registers the tests against the resources of the enclosing suite's run (`current` is read once it has run). */
export function operationsTests(current: () => Resources, e: Expect, currentRun: () => Run): void {
  describe("region-safe IAM names", () => {
    it("names one role per owner rez-agent-<owner>-<stage>-<region>, each within IAM's 64 characters", () => {
      const names = current().ofType("aws:iam/role:Role").map((r) => r.inputs.name).sort();
      assert.deepEqual(names, ROLE_OWNERS.map((o) => `rez-agent-${o}-${e.stage}-${e.region}`).sort());
      for (const n of names) assert.ok(n.length <= IAM_ROLE_NAME_MAX, `${n}: ${n.length} characters`);
    });

    it("gives each function the role named after it, the state machine notification's, the schedules daily-scheduler's", () => {
      const roleNameOf = (arn: string) => current().one("aws:iam/role:Role", (r) => r.state.arn === arn).inputs.name;
      for (const fn of FUNCTION_NAMES) assert.equal(roleNameOf(current().fn(fn, e.stage).inputs.role), `rez-agent-${fn}-${e.stage}-${e.region}`);
      const sm = current().named("aws:sfn/stateMachine:StateMachine", `rez-agent-notification-${e.stage}`);
      assert.equal(roleNameOf(sm.inputs.roleArn), `rez-agent-notification-${e.stage}-${e.region}`);
      for (const s of current().ofType("aws:scheduler/schedule:Schedule")) {
        assert.equal(roleNameOf(s.inputs.target.roleArn), `rez-agent-daily-scheduler-${e.stage}-${e.region}`, s.name);
      }
    });

    it("names no IAM policy of its own (inline policies live in their role's namespace)", () => {
      assert.equal(current().ofType("aws:iam/policy:Policy").length, 0);
    });
  });

  describe("log level", () => {
    it(`gives every function JSON logs at application level ${e.logLevel} (AWS_LAMBDA_LOG_LEVEL) and system level WARN`, () => {
      for (const fn of FUNCTION_NAMES) {
        const f = current().fn(fn, e.stage);
        assert.deepEqual(
          { ...f.inputs.loggingConfig },
          { logFormat: "JSON", logGroup: `/aws/lambda/rez-agent-${fn}-${e.stage}`, applicationLogLevel: e.logLevel, systemLogLevel: "WARN" },
          fn,
        );
      }
    });
  });

  describe("outputs for the operator's scripts", () => {
    it("exports executionLogGroupName: the log group the state machine logs its executions to", () => {
      const sm = current().named("aws:sfn/stateMachine:StateMachine", `rez-agent-notification-${e.stage}`);
      const group = current().named("aws:cloudwatch/logGroup:LogGroup", currentRun().outputs.executionLogGroupName as string);
      assert.equal(group.inputs.name, `/aws/vendedlogs/states/rez-agent-notification-${e.stage}`);
      assert.equal(sm.inputs.loggingConfiguration.logDestination, `${group.state.arn}:*`);
      assert.equal(sm.inputs.loggingConfiguration.level, "ALL");
    });

    it("exports alarmNames: the name of every alarm the stack declares", () => {
      const declared = current().ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs.name);
      assert.deepEqual([...(currentRun().outputs.alarmNames as string[])].sort(), declared.sort());
      assert.equal(declared.length, 6);
    });
  });
}
