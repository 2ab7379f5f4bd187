// `make cost [STACK=prod]`: prints the monthly cost table of a stack at
// 1,000 messages a day (model.ts), from prices.json, measured.json, counted.json and the
// stack's Pulumi.<stack>.yaml. Last line: `total: $X.XX/month`.

import * as fs from "fs";
import * as path from "path";
import { Counted, Measured, MESSAGES_PER_DAY, Prices, StackSettings, costLines, render } from "./model";

const here = __dirname;

/** A stack's settings that change the cost, read from its Pulumi.<stack>.yaml. */
export function stackSettings(stack: string): StackSettings {
  const text = fs.readFileSync(path.join(here, "..", `Pulumi.${stack}.yaml`), "utf8");
  const key = (name: string) => text.match(new RegExp(`^\\s+rez-agent-infrastructure:${name}:\\s*"?([^"\\n]*)"?\\s*$`, "m"))?.[1];
  return {
    architecture: key("architecture") === "arm64" ? "arm64" : "x86_64",
    enableXRay: key("enableXRay") === "true",
    customMetrics: key("customMetrics") === "true",
    pointInTimeRecovery: key("stage") === "prod",
    logRetentionDays: Number(key("logRetentionDays") ?? "30"),
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
