// `make cost [STACK=prod]`: prints the monthly cost table of a stack at
// 1,000 messages a day (model.ts), from prices.json, measured.json, counted.json and the
// stack's Pulumi.<stack>.yaml. Last line: `total: $X.XX/month`.

import * as fs from "fs";
import * as path from "path";
import { loadConfig, rawConfig } from "../src/config";
import { projectName, readStackFile } from "../src/stack-file";
import { Counted, Measured, MESSAGES_PER_DAY, Prices, StackSettings, costLines, render } from "./model";

const here = __dirname;

/** A stack's settings that change the cost: its Pulumi.<stack>.yaml read as `pulumi up` reads it. */
export function stackSettings(stack: string): StackSettings {
  const project = projectName(path.join(here, "..", "Pulumi.yaml"));
  const values = readStackFile(path.join(here, "..", `Pulumi.${stack}.yaml`));
  const raw = rawConfig((key) => values[`${project}:${key}`], (key) => values[`aws:${key}`]);
  // The packages' presence is not a cost: the report runs before a build.
  const cfg = loadConfig(raw, { buildDir: "", fileExists: () => true });
  return {
    architecture: cfg.architecture,
    enableXRay: cfg.enableXRay,
    customMetrics: cfg.customMetrics,
    pointInTimeRecovery: cfg.stage === "prod",
    logRetentionDays: cfg.logRetentionDays,
  };
}

/** The report `make cost` prints for `stack`. */
export function report(stack: string): string {
  const prices = JSON.parse(fs.readFileSync(path.join(here, "prices.json"), "utf8")) as Prices;
  const measured = JSON.parse(fs.readFileSync(path.join(here, "measured.json"), "utf8")) as Measured;
  const counted = JSON.parse(fs.readFileSync(path.join(here, "counted.json"), "utf8")) as Counted;
  const header =
    `Stack ${stack} at ${MESSAGES_PER_DAY.toLocaleString("en-US")} messages a day, ${prices.region} list prices recorded ${prices.recorded}, ` +
    `no free tier (infrastructure/cost/).`;
  return `${header}\n\n${render(costLines(prices, measured, counted, stackSettings(stack)))}`;
}

if (require.main === module) {
  const i = process.argv.indexOf("--stack");
  const stack = i >= 0 ? process.argv[i + 1] : "prod";
  process.stdout.write(`${report(stack)}\n`);
}
