// make cost: the README's cost table is its output, and the model follows
// the program's alarms and the stack's settings.

import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { describe, it } from "node:test";
import { ALARM_METRICS } from "../src/alarms";
import { Counted, Measured, Prices, StackSettings, costLines, render, total } from "../cost/model";
import { report, stackSettings } from "../cost/report";

const read = (file: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "..", "cost", file), "utf8"));
const prices = read("prices.json") as Prices;
const measured = read("measured.json") as Measured;
const counted = read("counted.json") as Counted;
const base: StackSettings = { architecture: "x86_64", enableXRay: false, customMetrics: false, pointInTimeRecovery: false, logRetentionDays: 30 };
const line = (settings: StackSettings, item: string) => {
  const found = costLines(prices, measured, counted, settings).find((l) => l.item === item);
  assert.ok(found, item);
  return found;
};

describe("make cost", () => {
  it("is what the README's cost table shows, for the prod stack", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    const shown = readme.match(/<!-- make cost: begin -->\n([\s\S]*?)\n<!-- make cost: end -->/)?.[1];
    assert.equal(shown, report("prod"), "run `make cost` and put its output between the README's markers");
  });

  it("ends with the total line, the sum of the lines", () => {
    const lines = costLines(prices, measured, counted, stackSettings("prod"));
    const text = render(lines);
    assert.match(text.split("\n").at(-1) ?? "", /^total: \$\d+\.\d\d\/month$/);
    assert.ok(text.endsWith(`total: $${total(lines).toFixed(2)}/month`));
  });

  it("prices every metric the program's alarms evaluate", () => {
    const metrics = Object.values(ALARM_METRICS).reduce((a, b) => a + b, 0);
    assert.equal(line(base, "CloudWatch alarms").usd, metrics * prices.cloudWatch.perAlarmMetric);
  });

  it("prices the measured write units", () => {
    const expected = (measured.writeUnitsPerMessage * 30_000 * prices.dynamodbOnDemand.perMillionWriteUnits) / 1e6;
    assert.ok(Math.abs(line(base, "DynamoDB writes").usd - expected) < 1e-9);
  });

  it("charges custom metrics and X-Ray only when the stack turns them on", () => {
    assert.equal(line(base, "CloudWatch custom metrics").usd, 0);
    assert.equal(line({ ...base, customMetrics: true }, "CloudWatch custom metrics").usd, counted.customMetricNames * 2 * prices.cloudWatch.perCustomMetric);
    assert.equal(line(base, "X-Ray").usd, 0);
    assert.ok(line({ ...base, enableXRay: true }, "X-Ray").usd > 0);
  });

  it("makes the Lambda duration lines 20 % cheaper on arm64", () => {
    const x86 = line(base, "Lambda processor").usd;
    const arm = line({ ...base, architecture: "arm64" }, "Lambda processor").usd;
    assert.ok(Math.abs(arm / x86 - 0.8) < 0.001, `${arm} / ${x86}`);
  });

  it("reads the prod stack's settings from Pulumi.prod.yaml", () => {
    assert.deepEqual(stackSettings("prod"), { architecture: "x86_64", enableXRay: false, customMetrics: false, pointInTimeRecovery: true, logRetentionDays: 30 });
  });
});
