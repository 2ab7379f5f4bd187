// Where the `live` aliases point: the published version, a pinned one, a
// canary between the two; a second deploy after a rollback keeps the pin;
// and the pinnedVersions and canaryWeight keys refused when malformed.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PROJECT as P, Resources, runStack, stackConfig } from "./harness";
import { ConfigError, FUNCTION_NAMES, RawConfig, loadConfig } from "../src/config";

const RAW: RawConfig = {
  region: "us-east-1",
  stage: "dev",
  ntfyUrl: "https://ntfy.example.org/alerts",
  logRetentionDays: "7",
};
const allZips = { buildDir: "/nowhere/build", fileExists: () => true };

/** Each function's alias as deployed: its version and routing weights. */
async function aliases(raw: RawConfig, published: string): Promise<Record<string, { version: string; weights: Record<string, number> }>> {
  const run = await runStack(raw, {}, { publishedVersion: () => published });
  const res = new Resources(run.resources);
  return Object.fromEntries(
    FUNCTION_NAMES.map((fn) => {
      const a = res.alias(fn, "dev");
      assert.equal(res.fn(fn, "dev").state.version, published, "the mocks publish the version asked for");
      return [fn, { version: a.inputs.functionVersion, weights: a.inputs.routingConfig.additionalVersionWeights }];
    }),
  );
}

describe("pinned versions and canaries", () => {
  it("points a pinned function's alias at its pin, with no routing, and every other at the published version", async () => {
    const got = await aliases({ ...RAW, pinnedVersions: { webapi: "4" } }, "5");
    for (const fn of FUNCTION_NAMES) {
      assert.deepEqual(got[fn], fn === "webapi" ? { version: "4", weights: {} } : { version: "5", weights: {} }, fn);
    }
  });

  it("sends canaryWeight of a pinned function's invocations to the new version, the rest to the pin", async () => {
    const got = await aliases({ ...RAW, pinnedVersions: { webapi: "4", processor: "3" }, canaryWeight: "0.1" }, "5");
    assert.deepEqual(got.webapi, { version: "4", weights: { "5": 0.1 } });
    assert.deepEqual(got.processor, { version: "3", weights: { "5": 0.1 } });
    assert.deepEqual(got.scheduler, { version: "5", weights: {} }, "an unpinned function has no canary");
  });

  it("routes nothing when the published version is the pin (Lambda refuses a weight on the alias's own version)", async () => {
    const got = await aliases({ ...RAW, pinnedVersions: { webapi: "5" }, canaryWeight: "0.25" }, "5");
    assert.deepEqual(got.webapi, { version: "5", weights: {} });
  });

  it("keeps a rolled-back function on its pin when the next deploy publishes new code", async () => {
    const pinned = { ...RAW, pinnedVersions: { "send-notification": "6" } };
    const first = await aliases(pinned, "7");
    const second = await aliases(pinned, "8");
    assert.deepEqual(first["send-notification"], { version: "6", weights: {} });
    assert.deepEqual(second["send-notification"], { version: "6", weights: {} });
    assert.deepEqual(second.webapi, { version: "8", weights: {} });
  });

  it("reads pinnedVersions as `pulumi config set --path` stores it (a map, numbers or strings) and canaryWeight", async () => {
    const raw = stackConfig("dev", { [`${P}:pinnedVersions`]: '{"load-message":3,"webapi":"4"}', [`${P}:canaryWeight`]: "0.5" });
    const cfg = loadConfig(raw, allZips);
    assert.deepEqual(cfg.rollout, { pinnedVersions: { "load-message": "3", webapi: "4" }, canaryWeight: 0.5 });
    assert.deepEqual(loadConfig(stackConfig("dev"), allZips).rollout, { pinnedVersions: {}, canaryWeight: undefined });
  });

  const refused: [string, RawConfig, string][] = [
    ["an unknown function", { pinnedVersions: { mailer: "3" } }, "config 'pinnedVersions' pins 'mailer', which is none of the functions scheduler, processor"],
    ["a version that is not a number", { pinnedVersions: { webapi: "latest" } }, "config 'pinnedVersions.webapi' must be a published version number (1, 2, …), got 'latest'"],
    ["$LATEST", { pinnedVersions: { webapi: "$LATEST" } }, "got '$LATEST'"],
    ["version 0", { pinnedVersions: { webapi: 0 } }, "config 'pinnedVersions.webapi' must be a published version number (1, 2, …), got '0'"],
    ["a list", { pinnedVersions: '["webapi"]' }, "config 'pinnedVersions' must be a map of function → version"],
    ["text that is not JSON", { pinnedVersions: "webapi=3" }, "config 'pinnedVersions' must be a map of function → version"],
    ["weight 0", { canaryWeight: "0" }, "config 'canaryWeight' must be a number between 0 and 1 (exclusive), such as 0.1, got '0'"],
    ["weight 1", { canaryWeight: "1" }, "got '1'"],
    ["weight 1.5", { canaryWeight: 1.5 }, "got '1.5'"],
    ["a negative weight", { canaryWeight: "-0.1" }, "got '-0.1'"],
    ["a weight that is not a number", { canaryWeight: "ten percent" }, "got 'ten percent'"],
  ];
  for (const [what, extra, message] of refused) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => loadConfig({ ...RAW, ...extra }, allZips),
        (e: unknown) => e instanceof ConfigError && e.message.includes(message),
      );
    });
  }
});
