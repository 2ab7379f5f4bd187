// The alarms, asserted for every scenario (registered by commonSuite): each
// one's metric, dimensions, statistic, threshold and actions, the metrics
// they are billed for, and the daily schedule's dead-letter queue that one
// of them watches.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ACCOUNT, API_ID, Recorded, Resources } from "./harness";
import type { Expect } from "./common";
import { ALARM_METRICS } from "../src/alarms";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** A single-metric alarm as the tests expect it: the fields that say what it watches and when it fires. */
interface Watched {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: string;
}

/** Registers the tests against the resources of the enclosing suite's run (`current` is read once it has run). */
export function alarmTests(current: () => Resources, e: Expect): void {
  const name = (what: string) => `rez-agent-${what}-${e.stage}`;
  const alarm = (what: string): Recorded => current().named(ALARM, name(what));
  const actions = () => (e.alarmEmail ? [`arn:aws:sns:${e.region}:${ACCOUNT}:${name("alarms")}`] : undefined);
  const scheduleDlqArn = () => `arn:aws:sqs:${e.region}:${ACCOUNT}:${name("schedule-dlq")}`;

  /** The settings every alarm shares: above the threshold in one 5-minute period, quiet without data, the topic's actions. */
  const assertCommon = (a: Recorded, threshold: number) => {
    assert.equal(a.inputs.comparisonOperator, "GreaterThanThreshold", a.name);
    assert.equal(a.inputs.threshold, threshold, a.name);
    assert.equal(a.inputs.evaluationPeriods, 1, a.name);
    assert.equal(a.inputs.treatMissingData, "notBreaching", a.name);
    assert.deepEqual(a.inputs.alarmActions, actions(), a.name);
    assert.deepEqual(a.inputs.okActions, actions(), a.name);
    assert.ok(String(a.inputs.alarmDescription).length > 80, `${a.name} tells the operator what to do`);
  };
  const assertWatches = (a: Recorded, w: Watched) => {
    assert.deepEqual(
      { namespace: a.inputs.namespace, metricName: a.inputs.metricName, dimensions: a.inputs.dimensions, statistic: a.inputs.statistic },
      w,
      a.name,
    );
    assert.equal(a.inputs.period, 300, a.name);
    assert.equal(a.inputs.metricQueries, undefined, a.name);
  };

  describe("alarms", () => {
    it("declares exactly the alarms of ALARM_METRICS, six metrics in all ($0.60 a month at $0.10 per metric)", () => {
      assert.deepEqual(current().ofType(ALARM).map((a) => a.inputs.name).sort(), Object.keys(ALARM_METRICS).map(name).sort());
      const billed = current().ofType(ALARM).map((a) => (a.inputs.metricQueries ?? [{ metric: {} }]).filter((q: any) => q.metric).length);
      assert.deepEqual(
        Object.fromEntries(current().ofType(ALARM).map((a, i) => [a.inputs.name.replace(/^rez-agent-|-[a-z]+$/g, ""), billed[i]])),
        ALARM_METRICS,
      );
      assert.equal(billed.reduce((x, y) => x + y, 0), 6);
    });

    it("alarms on any message visible in the notifications DLQ", () => {
      const a = alarm("dlq-messages");
      assertWatches(a, { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: name("notifications-dlq") }, statistic: "Maximum" });
      assertCommon(a, 0);
    });

    it("alarms on any processor error in 5 minutes (a crash, a timeout, a failed start)", () => {
      const a = alarm("processor-errors");
      assertWatches(a, { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: name("processor") }, statistic: "Sum" });
      assertCommon(a, 0);
    });

    it("alarms on any scheduler error in 5 minutes (a failed daily or reconcile run)", () => {
      const a = alarm("scheduler-errors");
      assertWatches(a, { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: name("scheduler") }, statistic: "Sum" });
      assertCommon(a, 0);
    });

    it("alarms on any daily run in the schedule's DLQ", () => {
      const a = alarm("schedule-dlq-messages");
      assertWatches(a, { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: name("schedule-dlq") }, statistic: "Maximum" });
      assertCommon(a, 0);
    });

    it("alarms on any 5xx of the HTTP API, on its id and its $default stage", () => {
      const a = alarm("api-5xx");
      const stage = current().one("aws:apigatewayv2/stage:Stage");
      assert.equal(stage.inputs.name, "$default");
      assertWatches(a, { namespace: "AWS/ApiGateway", metricName: "5xx", dimensions: { ApiId: API_ID, Stage: "$default" }, statistic: "Sum" });
      assertCommon(a, 0);
    });

    it("alarms on any execution that failed (one metric: a timed-out one reaches the DLQ alarm)", () => {
      const a = alarm("executions-failed");
      const smArn = `arn:aws:states:${e.region}:${ACCOUNT}:stateMachine:${name("notification")}`;
      assertWatches(a, { namespace: "AWS/States", metricName: "ExecutionsFailed", dimensions: { StateMachineArn: smArn }, statistic: "Sum" });
      assertCommon(a, 0);
    });

    it("has an alarm topic with an email subscription exactly when alarmEmail is set", () => {
      const topics = current().ofType("aws:sns/topic:Topic").filter((t) => t.inputs.name === name("alarms"));
      const emails = current().ofType("aws:sns/topicSubscription:TopicSubscription").filter((s) => s.inputs.protocol === "email");
      if (!e.alarmEmail) {
        assert.equal(topics.length + emails.length, 0);
        return;
      }
      assert.equal(topics.length, 1);
      assert.equal(emails.length, 1);
      assert.equal(emails[0].inputs.endpoint, e.alarmEmail);
      assert.equal(emails[0].inputs.topic, topics[0].state.arn);
    });
  });

  describe("the daily schedule's dead-letter queue", () => {
    it("is an SSE-SQS queue keeping messages 14 days, like the notifications DLQ", () => {
      const q = current().named("aws:sqs/queue:Queue", name("schedule-dlq"));
      const notifications = current().named("aws:sqs/queue:Queue", name("notifications-dlq"));
      assert.equal(q.inputs.sqsManagedSseEnabled, true);
      assert.equal(q.inputs.messageRetentionSeconds, 14 * 24 * 3600);
      assert.equal(q.inputs.messageRetentionSeconds, notifications.inputs.messageRetentionSeconds);
      assert.equal(q.inputs.redrivePolicy, undefined);
    });

    it("is the daily schedule's deadLetterConfig, after 3 retries within an hour", () => {
      const s = current().named("aws:scheduler/schedule:Schedule", name("daily-scheduler"));
      assert.deepEqual(s.inputs.target.deadLetterConfig, { arn: scheduleDlqArn() });
      assert.deepEqual(s.inputs.target.retryPolicy, { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 });
    });

    it("is not the reconciler's: a reconcile run left undelivered needs nothing done", () => {
      const r = current().named("aws:scheduler/schedule:Schedule", name("reconcile"));
      assert.equal(r.inputs.target.deadLetterConfig, undefined);
      assert.deepEqual(r.inputs.target.retryPolicy, { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 240 });
    });

    it("receives only from the schedules' role (sqs:SendMessage), and no function reads it", () => {
      const s = current().named("aws:scheduler/schedule:Schedule", name("daily-scheduler"));
      const senders = current()
        .ofType("aws:iam/rolePolicy:RolePolicy")
        .filter((p) => JSON.parse(p.inputs.policy).Statement.some((st: any) => [st.Resource].flat().includes(scheduleDlqArn())));
      assert.deepEqual(senders.map((p) => p.name), [`${name("daily-scheduler")}-policy`]);
      const roleOfPolicy = current().one("aws:iam/role:Role", (r) => r.state.arn === s.inputs.target.roleArn);
      assert.equal(senders[0].inputs.role, roleOfPolicy.id);
    });
  });
}
