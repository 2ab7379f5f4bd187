// The shape of the JSON file declare.ts writes, member by member: the Rust
// harness deserializes it with serde, so the names here are the contract.
// Absent scalars and objects are null, absent lists and maps are empty.

import type { FunctionName } from "../src/config";

export interface DeclaredFunction {
  key: FunctionName;
  name: string;
  arn: string;
  version: string;
  zip: string;
  handler: string | null;
  runtime: string | null;
  architectures: string[];
  memorySize: number | null;
  timeout: number | null;
  environment: Record<string, string>;
  alias: { name: string; arn: string; functionVersion: string; additionalVersionWeights: Record<string, number> };
}

export interface DeclaredTable {
  name: string;
  arn: string;
  hashKey: string;
  rangeKey: string | null;
  attributes: { name: string; type: string }[];
  globalSecondaryIndexes: { name: string; hashKey: string; rangeKey: string | null; projectionType: string | null }[];
  ttlAttribute: string | null;
}

export interface DeclaredQueue {
  name: string;
  arn: string;
  url: string;
  visibilityTimeoutSeconds: number | null;
  messageRetentionSeconds: number | null;
  receiveWaitTimeSeconds: number | null;
  redrivePolicy: { deadLetterTargetArn: string; maxReceiveCount: number } | null;
}

export interface DeclaredSubscription {
  topicArn: string;
  protocol: string;
  endpoint: string;
  rawMessageDelivery: boolean | null;
}

export interface DeclaredEventSourceMapping {
  eventSourceArn: string;
  functionArn: string;
  batchSize: number | null;
  functionResponseTypes: string[];
  maximumBatchingWindowInSeconds: number | null;
  enabled: boolean | null;
}

export interface DeclaredSchedule {
  name: string;
  scheduleExpression: string;
  scheduleExpressionTimezone: string | null;
  state: string | null;
  targetArn: string;
  input: string | null;
  retryPolicy: { maximumRetryAttempts: number | null; maximumEventAgeInSeconds: number | null } | null;
}

/** A schedule group: where the webapi creates the schedules people define (the daily ones are in `default`). */
export interface DeclaredScheduleGroup {
  name: string;
  arn: string;
}

export interface DeclaredHttpApi {
  name: string;
  routes: { routeKey: string; integrationType: string; payloadFormatVersion: string | null; functionArn: string }[];
  throttlingBurstLimit: number | null;
  throttlingRateLimit: number | null;
}

export interface DeclaredStateMachine {
  name: string;
  arn: string;
  type: string | null;
  definition: string;
  /** The log group its executions' histories go to (level ALL), by name. */
  logGroup: string | null;
}

export interface Declared {
  stage: string;
  region: string;
  account: string;
  functions: DeclaredFunction[];
  table: DeclaredTable;
  topic: { name: string; arn: string };
  queues: DeclaredQueue[];
  subscriptions: DeclaredSubscription[];
  parameters: { name: string; type: string; value: string }[];
  eventSourceMappings: DeclaredEventSourceMapping[];
  schedules: DeclaredSchedule[];
  scheduleGroups: DeclaredScheduleGroup[];
  httpApis: DeclaredHttpApi[];
  stateMachines: DeclaredStateMachine[];
}
