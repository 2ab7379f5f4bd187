// scripts/rollout.sh, rollback.sh and unpin.sh against fake `pulumi` and
// `aws` executables on PATH: bash stubs that keep the stack's config as
// files, answer the outputs and the AWS calls from canned files, and record
// every call and the config each `pulumi up` deployed.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, it } from "node:test";

const SCRIPTS = path.resolve(__dirname, "..", "..", "scripts");
const FUNCTIONS = ["scheduler", "processor", "webapi", "load-message", "send-notification", "record-status"];
const ALARMS = ["dlq-messages", "executions-failed", "processor-errors", "scheduler-errors", "schedule-dlq-messages", "api-5xx"].map(
  (a) => `rez-agent-${a}-dev`,
);
/** Every wait of a script run is bounded by this. */
const TIMEOUT_MS = 60_000;

const FAKE_PULUMI = String.raw`#!/usr/bin/env bash
set -euo pipefail
d=$FAKE_DIR
echo "pulumi $*" >>"$d/calls"
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --stack) shift 2 ;;
    --non-interactive | --yes | --json | --path) shift ;;
    *) args+=("$1"); shift ;;
  esac
done
key() { if [[ $1 =~ ^pinnedVersions\[\"(.+)\"\]$ ]]; then echo "pinnedVersions.${"$"}{BASH_REMATCH[1]}"; else echo "$1"; fi; }
case "${"$"}{args[0]} ${"$"}{args[1]:-}" in
  "stack output")
    f="$d/outputs/${"$"}{args[2]}"
    [ -f "$f" ] || { echo "error: current stack does not have output property '${"$"}{args[2]}'" >&2; exit 255; }
    cat "$f" ;;
  "config get")
    k=$(key "${"$"}{args[2]}")
    if [ "$k" = pinnedVersions ]; then compgen -G "$d/config/pinnedVersions.*" >/dev/null || exit 255; echo '{}'; exit 0; fi
    [ -f "$d/config/$k" ] || { echo "error: configuration key '$k' not found" >&2; exit 255; }
    cat "$d/config/$k" ;;
  "config set") printf '%s\n' "${"$"}{args[3]}" >"$d/config/$(key "${"$"}{args[2]}")" ;;
  "config rm")
    k=$(key "${"$"}{args[2]}")
    if [ "$k" = pinnedVersions ]; then rm -f "$d/config/pinnedVersions."*; else rm "$d/config/$k"; fi ;;
  "up "*)
    {
      printf 'canaryWeight=%s pins=' "$(cat "$d/config/canaryWeight" 2>/dev/null || echo -)"
      for f in "$d/config/pinnedVersions."*; do [ -e "$f" ] && printf '%s:%s,' "${"$"}{f##*.}" "$(cat "$f")"; done
      echo
    } >>"$d/ups" ;;
  *) echo "fake pulumi: unexpected command: ${"$"}{args[*]}" >&2; exit 3 ;;
esac
`;

const FAKE_AWS = String.raw`#!/usr/bin/env bash
set -euo pipefail
d=$FAKE_DIR
echo "aws $*" >>"$d/calls"
fn=""
prev=""
for a in "$@"; do [ "$prev" = --function-name ] && fn=$a; prev=$a; done
case "$1 $2" in
  "lambda get-alias") cat "$d/live/$fn" ;;
  "lambda list-versions-by-function") cat "$d/versions/$fn" ;;
  "cloudwatch describe-alarms")
    n=$(($(cat "$d/alarm-calls" 2>/dev/null || echo 0) + 1))
    echo "$n" >"$d/alarm-calls"
    total=$(wc -l <"$d/alarms")
    [ "$n" -le "$total" ] || n=$total
    sed -n "${"$"}{n}p" "$d/alarms" ;;
  *) echo "fake aws: unexpected command: $*" >&2; exit 3 ;;
esac
`;

interface FakeStack {
  /** Whether the stack has outputs (has been deployed). */
  deployed?: boolean;
  /** Each function's live version (default "3"). */
  live?: Record<string, string>;
  /** Each function's published versions, as list-versions-by-function prints them (default $LATEST 1 2 3). */
  versions?: Record<string, string>;
  /** The stack's config before the run (pins as pinnedVersions.<fn>). */
  config?: Record<string, string>;
  /** The answer of each describe-alarms call, in turn (the last one repeats); "" = none in ALARM. */
  alarms?: string[];
}

interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The config each `pulumi up` deployed: "canaryWeight=<w|-> pins=<fn:v,…>". */
  ups: string[];
  /** The stack's config afterwards. */
  config: Record<string, string>;
  calls: string[];
}

/** Runs scripts/<script> with `args` against a fake stack. */
function runScript(script: string, args: string[], stack: FakeStack, env: Record<string, string> = {}): ScriptRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rez-rollout-"));
  const bin = path.join(dir, "bin");
  for (const sub of ["bin", "config", "outputs", "live", "versions"]) fs.mkdirSync(path.join(dir, sub));
  fs.writeFileSync(path.join(bin, "pulumi"), FAKE_PULUMI, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "aws"), FAKE_AWS, { mode: 0o755 });
  if (stack.deployed !== false) {
    fs.writeFileSync(path.join(dir, "outputs", "functionNames"), JSON.stringify(Object.fromEntries(FUNCTIONS.map((f) => [f, `rez-agent-${f}-dev`]))));
    fs.writeFileSync(path.join(dir, "outputs", "alarmNames"), JSON.stringify(ALARMS));
  }
  for (const f of FUNCTIONS) {
    fs.writeFileSync(path.join(dir, "live", `rez-agent-${f}-dev`), `${stack.live?.[f] ?? "3"}\n`);
    fs.writeFileSync(path.join(dir, "versions", `rez-agent-${f}-dev`), `${stack.versions?.[f] ?? "$LATEST\t1\t2\t3"}\n`);
  }
  for (const [k, v] of Object.entries(stack.config ?? {})) fs.writeFileSync(path.join(dir, "config", k), `${v}\n`);
  fs.writeFileSync(path.join(dir, "alarms"), (stack.alarms ?? [""]).join("\n") + "\n");

  const r = spawnSync("bash", [path.join(SCRIPTS, script), ...args], {
    encoding: "utf8",
    timeout: TIMEOUT_MS,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_DIR: dir, ROLLOUT_MINUTES: "0", ROLLOUT_POLL_SECONDS: "0", ...env },
  });
  const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), "utf8").split("\n").filter((l) => l !== "") : []);
  const config = Object.fromEntries(fs.readdirSync(path.join(dir, "config")).map((k) => [k, fs.readFileSync(path.join(dir, "config", k), "utf8").trim()]));
  const out = { status: r.status, stdout: r.stdout, stderr: r.stderr, ups: read("ups"), config, calls: read("calls") };
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

/** The `pins=` of an up line for `pins` (in the order the fake lists them: by name). */
const pinsLine = (w: string, pins: Record<string, string>) =>
  `canaryWeight=${w} pins=${Object.keys(pins).sort().map((k) => `${k}:${pins[k]},`).join("")}`;
const allOn = (v: string, over: Record<string, string> = {}) => ({ ...Object.fromEntries(FUNCTIONS.map((f) => [f, v])), ...over });
const pinConfig = (pins: Record<string, string>) => Object.fromEntries(Object.entries(pins).map(([f, v]) => [`pinnedVersions.${f}`, v]));

describe("scripts/rollout.sh", () => {
  it("deploys a canary, rolls back on an alarm: canaryWeight removed, pins kept, the alarm named, exit 1", () => {
    const r = runScript("rollout.sh", ["dev"], { config: { "pinnedVersions.webapi": "2" }, alarms: ["", "rez-agent-api-5xx-dev"] });
    assert.equal(r.status, 1, r.stderr);
    const pins = allOn("3", { webapi: "2" });
    assert.deepEqual(r.ups, [pinsLine("0.1", pins), pinsLine("-", pins)]);
    assert.deepEqual(r.config, { ...pinConfig(pins), rolloutPins: r.config.rolloutPins });
    assert.deepEqual(r.config.rolloutPins.split(" ").sort(), FUNCTIONS.filter((f) => f !== "webapi").sort(), "the pins it set, for a later run");
    assert.match(r.stderr, /in ALARM: rez-agent-api-5xx-dev; rolling back/);
    assert.match(r.stderr, /make unpin STACK=dev/);
    const describe = r.calls.filter((c) => c.startsWith("aws cloudwatch describe-alarms"));
    assert.equal(describe.length, 2);
    assert.ok(describe[1].includes(`--alarm-names ${ALARMS.join(" ")} --state-value ALARM`), describe[1]);
  });

  it("promotes when the alarms stay quiet: its own pins and canaryWeight removed, the user's pin kept", () => {
    const r = runScript("rollout.sh", ["dev"], { config: { "pinnedVersions.webapi": "2" }, alarms: [""] });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.ups, [pinsLine("0.1", allOn("3", { webapi: "2" })), pinsLine("-", { webapi: "2" })]);
    assert.deepEqual(r.config, { "pinnedVersions.webapi": "2" });
    assert.match(r.stdout, /webapi stays on your pin, version 2/);
  });

  it("watches for ROLLOUT_MINUTES, reading the alarms every ROLLOUT_POLL_SECONDS, and rolls back on a late alarm", () => {
    const r = runScript("rollout.sh", ["dev"], { alarms: ["", "", "", "rez-agent-dlq-messages-dev"] }, { ROLLOUT_MINUTES: "1", ROLLOUT_WEIGHT: "0.25" });
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(r.ups, [pinsLine("0.25", allOn("3")), pinsLine("-", allOn("3"))]);
    assert.equal(r.calls.filter((c) => c.startsWith("aws cloudwatch describe-alarms")).length, 4);
  });

  it("finishes a rollout that was killed: the pins it listed are its own, and go at promotion", () => {
    const config = { ...pinConfig(allOn("3", { webapi: "2" })), canaryWeight: "0.1", rolloutPins: "scheduler processor load-message send-notification record-status" };
    const r = runScript("rollout.sh", ["dev"], { config, live: allOn("3", { webapi: "2" }) });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.config, { "pinnedVersions.webapi": "2" });
  });

  it("refuses to start while an alarm is already in ALARM, changing nothing", () => {
    const r = runScript("rollout.sh", ["dev"], { alarms: ["rez-agent-dlq-messages-dev"] });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /already in ALARM before the canary: rez-agent-dlq-messages-dev/);
    assert.deepEqual(r.ups, []);
    assert.deepEqual(r.config, {});
  });

  it("just runs pulumi up on a first deploy (no outputs)", () => {
    const r = runScript("rollout.sh", ["dev"], { deployed: false });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.ups, [pinsLine("-", {})]);
    assert.deepEqual(r.config, {});
    assert.deepEqual(r.calls.filter((c) => c.startsWith("aws ") || c.startsWith("pulumi config")), []);
  });

  it("refuses a bad usage", () => {
    assert.equal(runScript("rollout.sh", [], {}).status, 2);
    assert.equal(runScript("rollout.sh", ["dev"], {}, { ROLLOUT_MINUTES: "ten" }).status, 2);
    for (const w of ["1", "0", "1.5", "-0.1", "ten"]) assert.equal(runScript("rollout.sh", ["dev"], {}, { ROLLOUT_WEIGHT: w }).status, 2, w);
  });
});

describe("scripts/rollback.sh", () => {
  it("pins the named function to the highest version below its live one, removes canaryWeight, deploys", () => {
    const r = runScript("rollback.sh", ["dev", "webapi"], {
      live: { webapi: "5" },
      versions: { webapi: "$LATEST\t1\t2\t4\t5\t6" },
      config: { canaryWeight: "0.1", rolloutPins: "webapi scheduler", "pinnedVersions.scheduler": "3" },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.ups, [pinsLine("-", { scheduler: "3", webapi: "4" })]);
    assert.deepEqual(r.config, { "pinnedVersions.webapi": "4", "pinnedVersions.scheduler": "3", rolloutPins: "scheduler" });
    assert.match(r.stdout, /webapi: version 5 → 4 \(pinned\)/);
  });

  it("rolls back every function when none is named", () => {
    const r = runScript("rollback.sh", ["dev"], {});
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.ups, [pinsLine("-", allOn("2"))]);
  });

  it("refuses a function with no version before its live one, deploying nothing", () => {
    const r = runScript("rollback.sh", ["dev", "processor"], { live: { processor: "1" }, versions: { processor: "$LATEST\t1" } });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /processor is on version 1 and has no published version before it/);
    assert.deepEqual(r.ups, []);
  });

  it("refuses an unknown function", () => {
    const r = runScript("rollback.sh", ["dev", "mailer"], {});
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no function 'mailer'/);
  });
});

describe("scripts/unpin.sh", () => {
  it("removes one function's pin, then deploys", () => {
    const r = runScript("unpin.sh", ["dev", "webapi"], { config: pinConfig({ webapi: "4", scheduler: "2" }) });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.ups, [pinsLine("-", { scheduler: "2" })]);
  });

  it("removes every pin and canaryWeight when no function is named, then deploys", () => {
    const r = runScript("unpin.sh", ["dev"], { config: { ...pinConfig({ webapi: "4", scheduler: "2" }), canaryWeight: "0.1", rolloutPins: "scheduler" } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.ups, [pinsLine("-", {})]);
    assert.deepEqual(r.config, {});
  });
});
