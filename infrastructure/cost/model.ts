// The monthly cost of one stack at a given traffic: the price list
// (prices.json), the counts the code produces (measured.json from the
// harness's cost scenario; counted.json from the functions' metrics; the
// alarms and memory sizes the program declares) and the assumptions a machine without AWS cannot measure, each
// named in the line that uses it. No free tier is counted.

import { ALARM_METRICS } from "../src/alarms";
import { FUNCTION_SIZES } from "../src/functions";
import { FunctionName } from "../src/config";

/** The price list (prices.json). */
export interface Prices {
  region: string;
  recorded: string;
  lambda: { x86_64PerGbSecond: number; arm64PerGbSecond: number; perMillionRequests: number };
  stepFunctionsExpress: { perMillionRequests: number; perGbSecond: number; billedMemoryGb: number };
  dynamodbOnDemand: { perMillionWriteUnits: number; perMillionReadUnits: number; perGbMonth: number; pitrPerGbMonth: number };
  sns: { perMillionPublishes: number };
  sqs: { perMillionRequests: number };
  apiGatewayHttp: { perMillionRequests: number };
  eventBridgeScheduler: { perMillionInvocations: number };
  cloudWatch: { perGbLogsIngested: number; perGbMonthLogsStored: number; perAlarmMetric: number; perCustomMetric: number };
  xray: { perMillionTracesRecorded: number };
}

/** What the harness measured for one message (measured.json). */
export interface Measured {
  writeUnitsPerMessage: number;
  stateMachineLogBytesPerMessage: number;
  functionLogBytesPerMessage: number;
}

/** What was counted in the code (counted.json, kept equal to `crates/lambda/src/emf.rs` by its test). */
export interface Counted {
  customMetricNames: number;
}

/** The stack settings that change the cost. */
export interface StackSettings {
  architecture: "x86_64" | "arm64";
  enableXRay: boolean;
  customMetrics: boolean;
  /** Point-in-time recovery on the table (prod). */
  pointInTimeRecovery: boolean;
  /** Every log group's retention. */
  logRetentionDays: number;
}

/** The traffic: messages a day, all created through the API, over a 30-day month. */
export const MESSAGES_PER_DAY = 1000;
const DAYS = 30;
/** Daily runs and reconciler runs (every 5 minutes) a month. */
const DAILY_RUNS = DAYS;
const RECONCILE_RUNS = (DAYS * 24 * 60) / 5;

/**
 * How long each function runs per invocation, in seconds. Measured ones come
 * from `scripts/bench.sh coldstart` (BENCHMARKS.md); the others wait on the
 * network and are assumptions: a 400 ms ntfy round trip over the Internet,
 * and the processor waiting for the synchronous execution (1.5 s, one
 * message per batch, the worst case).
 */
export const DURATIONS: Record<FunctionName, { seconds: number; source: string }> = {
  webapi: { seconds: 0.022, source: "measured" },
  scheduler: { seconds: 0.03, source: "measured" },
  processor: { seconds: 1.5, source: "assumed" },
  "load-message": { seconds: 0.005, source: "measured" },
  "send-notification": { seconds: 0.4, source: "assumed" },
  "record-status": { seconds: 0.005, source: "measured" },
};
/** A reconciler run: a few queries and a DLQ sweep (assumed). */
const RECONCILE_SECONDS = 0.1;
/** An Express execution's billed duration (assumed: the three tasks and the ntfy round trip). */
const EXECUTION_SECONDS = 0.6;
/** SQS requests of the event source's long polls: 5 pollers, one 20 s poll each, all month (AWS's documented behaviour). */
const EVENT_SOURCE_POLLS = 5 * 3 * DAYS * 24 * 60;
/** SQS requests per message besides the polls: SNS's send and the processor's delete. */
const SQS_REQUESTS_PER_MESSAGE = 2;
/** SQS requests per reconciler run: the DLQ sweep and two queue counts (estimated). */
const SQS_REQUESTS_PER_RECONCILE = 3;
/** DynamoDB read units per message (estimated: the loads, the claim checks and the API's reads). */
const READ_UNITS_PER_MESSAGE = 5;
/** DynamoDB read units per reconciler run: four status queries (estimated). */
const READ_UNITS_PER_RECONCILE = 4;
/** Table size kept (90 days of messages, estimated). */
const TABLE_GB = 0.1;
/** API Gateway access log bytes per request (estimated). */
const ACCESS_LOG_BYTES = 300;
/** Message types in use, each a value of the custom metrics' `message_type` dimension (assumed: notification and scheduled). */
const MESSAGE_TYPES_IN_USE = 2;

/** One line of the table. */
export interface CostLine {
  item: string;
  basis: string;
  usd: number;
}

const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 3 });

/** The month's cost, line by line. */
export function costLines(prices: Prices, measured: Measured, counted: Counted, stack: StackSettings): CostLine[] {
  const messages = MESSAGES_PER_DAY * DAYS;
  const perGbSecond = stack.architecture === "arm64" ? prices.lambda.arm64PerGbSecond : prices.lambda.x86_64PerGbSecond;
  const lines: CostLine[] = [];
  const lambda = (name: FunctionName, invocations: number, extraGbSeconds = 0, extraBasis = "") => {
    const gb = FUNCTION_SIZES[name].memorySize / 1024;
    const d = DURATIONS[name];
    const gbSeconds = gb * d.seconds * invocations + extraGbSeconds;
    lines.push({
      item: `Lambda ${name}`,
      basis: `${fmt(gb)} GB × ${fmt(d.seconds)} s (${d.source}) × ${fmt(invocations)}${extraBasis} = ${fmt(gbSeconds)} GB-s`,
      usd: gbSeconds * perGbSecond,
    });
  };
  lambda("webapi", messages);
  const reconcileGbSeconds = (FUNCTION_SIZES.scheduler.memorySize / 1024) * RECONCILE_SECONDS * RECONCILE_RUNS;
  lambda("scheduler", DAILY_RUNS, reconcileGbSeconds, ` + ${fmt(RECONCILE_RUNS)} reconciler runs × ${RECONCILE_SECONDS} s (assumed)`);
  lambda("processor", messages);
  lambda("load-message", messages);
  lambda("send-notification", messages);
  lambda("record-status", messages);
  const requests = 5 * messages + DAILY_RUNS + RECONCILE_RUNS;
  lines.push({
    item: "Lambda requests",
    basis: `5 a message (webapi, processor, three tasks) + scheduler runs = ${fmt(requests)}`,
    usd: (requests / 1e6) * prices.lambda.perMillionRequests,
  });
  lines.push({
    item: "Step Functions Express requests",
    basis: `${fmt(messages)} executions`,
    usd: (messages / 1e6) * prices.stepFunctionsExpress.perMillionRequests,
  });
  const sfnGbSeconds = prices.stepFunctionsExpress.billedMemoryGb * EXECUTION_SECONDS * messages;
  lines.push({
    item: "Step Functions Express duration",
    basis: `${fmt(prices.stepFunctionsExpress.billedMemoryGb * 1024)} MB billed × ${EXECUTION_SECONDS} s (assumed) × ${fmt(messages)} = ${fmt(sfnGbSeconds)} GB-s`,
    usd: sfnGbSeconds * prices.stepFunctionsExpress.perGbSecond,
  });
  const writeUnits = measured.writeUnitsPerMessage * messages;
  lines.push({
    item: "DynamoDB writes",
    basis: `${measured.writeUnitsPerMessage} write units a message (measured) × ${fmt(messages)} = ${fmt(writeUnits)}`,
    usd: (writeUnits / 1e6) * prices.dynamodbOnDemand.perMillionWriteUnits,
  });
  const readUnits = READ_UNITS_PER_MESSAGE * messages + READ_UNITS_PER_RECONCILE * RECONCILE_RUNS;
  const storage = TABLE_GB * (prices.dynamodbOnDemand.perGbMonth + (stack.pointInTimeRecovery ? prices.dynamodbOnDemand.pitrPerGbMonth : 0));
  lines.push({
    item: "DynamoDB reads and storage",
    basis: `${fmt(readUnits)} read units (estimated) + ${TABLE_GB} GB kept${stack.pointInTimeRecovery ? " with point-in-time recovery" : ""} (estimated)`,
    usd: (readUnits / 1e6) * prices.dynamodbOnDemand.perMillionReadUnits + storage,
  });
  lines.push({
    item: "SNS",
    basis: `${fmt(messages)} publishes (delivery to SQS is free)`,
    usd: (messages / 1e6) * prices.sns.perMillionPublishes,
  });
  const sqsRequests = EVENT_SOURCE_POLLS + SQS_REQUESTS_PER_MESSAGE * messages + SQS_REQUESTS_PER_RECONCILE * RECONCILE_RUNS;
  lines.push({
    item: "SQS",
    basis: `the event source's long polls ${fmt(EVENT_SOURCE_POLLS)} + ${SQS_REQUESTS_PER_MESSAGE} a message + ${SQS_REQUESTS_PER_RECONCILE} a reconciler run = ${fmt(sqsRequests)} requests`,
    usd: (sqsRequests / 1e6) * prices.sqs.perMillionRequests,
  });
  lines.push({
    item: "API Gateway HTTP API",
    basis: `${fmt(messages)} requests`,
    usd: (messages / 1e6) * prices.apiGatewayHttp.perMillionRequests,
  });
  const invocations = DAILY_RUNS + RECONCILE_RUNS;
  lines.push({
    item: "EventBridge Scheduler",
    basis: `${fmt(invocations)} invocations`,
    usd: (invocations / 1e6) * prices.eventBridgeScheduler.perMillionInvocations,
  });
  const logBytes = (measured.stateMachineLogBytesPerMessage + measured.functionLogBytesPerMessage + ACCESS_LOG_BYTES) * messages;
  lines.push({
    item: "CloudWatch Logs ingestion",
    basis:
      `(${fmt(measured.stateMachineLogBytesPerMessage)} B state machine + ${fmt(measured.functionLogBytesPerMessage)} B functions (measured) ` +
      `+ ${ACCESS_LOG_BYTES} B API access log (estimated)) × ${fmt(messages)} = ${fmt(logBytes / 1e9)} GB`,
    usd: (logBytes / 1e9) * prices.cloudWatch.perGbLogsIngested,
  });
  // At steady state the groups hold the last logRetentionDays of logs (stored uncompressed here: an upper bound).
  const storedGb = (logBytes / 1e9) * (stack.logRetentionDays / DAYS);
  lines.push({
    item: "CloudWatch Logs storage",
    basis: `${stack.logRetentionDays} days kept = ${fmt(storedGb)} GB`,
    usd: storedGb * prices.cloudWatch.perGbMonthLogsStored,
  });
  const alarmMetrics = Object.values(ALARM_METRICS).reduce((a, b) => a + b, 0);
  lines.push({
    item: "CloudWatch alarms",
    basis: `${Object.keys(ALARM_METRICS).length} alarms evaluating ${alarmMetrics} metrics`,
    usd: alarmMetrics * prices.cloudWatch.perAlarmMetric,
  });
  const customMetrics = stack.customMetrics ? counted.customMetricNames * MESSAGE_TYPES_IN_USE : 0;
  lines.push({
    item: "CloudWatch custom metrics",
    basis: stack.customMetrics
      ? `customMetrics on: ${counted.customMetricNames} names (counted) × ${MESSAGE_TYPES_IN_USE} message types (assumed)`
      : "none (customMetrics off, the API's per-route metrics off)",
    usd: customMetrics * prices.cloudWatch.perCustomMetric,
  });
  const traces = stack.enableXRay ? 2 * messages + invocations : 0;
  lines.push({
    item: "X-Ray",
    basis: stack.enableXRay
      ? `enableXRay: a trace per webapi and processor invocation and scheduler run, all sampled at this rate = ${fmt(traces)}`
      : "enableXRay off",
    usd: (traces / 1e6) * prices.xray.perMillionTracesRecorded,
  });
  lines.push({ item: "SSM parameters, KMS (AWS-managed keys)", basis: "standard parameters; decryption only at cold start", usd: 0 });
  return lines;
}

/** The lines' sum. */
export function total(lines: CostLine[]): number {
  return lines.reduce((sum, l) => sum + l.usd, 0);
}

/** The table as markdown, then a blank line and `total: $X.XX/month`. */
export function render(lines: CostLine[]): string {
  const rows = lines.map((l) => `| ${l.item} | ${l.basis} | $${l.usd.toFixed(3)} |`);
  return ["| item | basis | per month |", "|---|---|---|", ...rows, "", `total: $${total(lines).toFixed(2)}/month`].join("\n");
}
