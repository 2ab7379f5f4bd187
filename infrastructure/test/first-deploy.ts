// What a first `pulumi up` of the committed stacks relies on, asserted for
// every scenario (registered by commonSuite): an API key and an ntfy topic
// that are generated when none is configured and wired to the functions, the
// message table that no deploy replaces or deletes, and CORS only when asked.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Resources, Run, isSecret, reveal } from "./harness";
import type { Expect } from "./common";

export const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
export const RANDOM_STRING = "random:index/randomString:RandomString";
const TABLE = "aws:dynamodb/table:Table";

/** The API key the stack uses: the configured one, or the one its RandomPassword drew. */
export function apiKeyInUse(res: Resources, e: Expect): string {
  return e.apiKey ?? res.one(RANDOM_PASSWORD).state.result;
}

/** The ntfy topic URL the stack uses: the configured one, or ntfy.sh with the topic its RandomString drew. */
export function ntfyUrlInUse(res: Resources, e: Expect): string {
  return e.ntfyUrl ?? `https://ntfy.sh/rez-agent-${e.stage}-${res.one(RANDOM_STRING).state.result}`;
}

/** Registers the tests against the run of the enclosing suite (`current` is read once it has run). */
export function firstDeployTests(current: () => { run: Run; res: Resources }, e: Expect): void {
  const name = (what: string) => `rez-agent-${what}-${e.stage}`;
  const envOf = (fn: string): Record<string, string> => current().res.fn(fn, e.stage).inputs.environment.variables;
  const parameterNamedBy = (fn: string, variable: string) =>
    current().res.named("aws:ssm/parameter:Parameter", envOf(fn)[variable]);

  describe("generated API key and ntfy topic", () => {
    it("generates the API key with random.RandomPassword (48 letters and digits) exactly when apiKey is not configured", () => {
      const passwords = current().res.ofType(RANDOM_PASSWORD);
      if (e.apiKey !== undefined) {
        assert.equal(passwords.length, 0);
        return;
      }
      assert.equal(passwords.length, 1);
      assert.equal(passwords[0].name, name("generated-api-key"), "a renamed resource would draw a new key");
      assert.deepEqual([...passwords[0].options.additionalSecretOutputs].sort(), ["bcryptHash", "result"], "encrypted in the state");
      assert.deepEqual(
        { ...passwords[0].inputs },
        { length: 48, upper: true, lower: true, numeric: true, special: false, minUpper: 1, minLower: 1, minNumeric: 1 },
      );
      assert.match(apiKeyInUse(current().res, e), /^[A-Za-z0-9]{48}$/);
    });

    it("generates the ntfy topic with random.RandomString (20 lowercase letters and digits) on ntfy.sh exactly when ntfyUrl is not configured", () => {
      const strings = current().res.ofType(RANDOM_STRING);
      if (e.ntfyUrl !== undefined) {
        assert.equal(strings.length, 0);
        return;
      }
      assert.equal(strings.length, 1);
      assert.equal(strings[0].name, name("ntfy-topic"), "a renamed resource would draw a new topic");
      assert.deepEqual(strings[0].options.additionalSecretOutputs, ["result"], "encrypted in the state");
      assert.deepEqual({ ...strings[0].inputs }, { length: 20, upper: false, lower: true, numeric: true, special: false });
      assert.match(ntfyUrlInUse(current().res, e), new RegExp(`^https://ntfy\\.sh/rez-agent-${e.stage}-[a-z0-9]{20}$`));
    });

    it("stores the API key in use, as a secret, in the SecureString parameter the webapi's REZ_API_KEY_PARAMETER names", () => {
      const p = parameterNamedBy("webapi", "REZ_API_KEY_PARAMETER");
      assert.equal(p.inputs.name, `/rez-agent/${e.stage}/api-key`);
      assert.equal(p.inputs.type, "SecureString");
      assert.ok(isSecret(p.inputs.value), "the key stays a Pulumi secret");
      assert.equal(reveal(p.inputs.value), apiKeyInUse(current().res, e));
    });

    it("stores the topic in use, as a secret, in the parameter the send-notification function's REZ_NTFY_URL_PARAMETER names", () => {
      const p = parameterNamedBy("send-notification", "REZ_NTFY_URL_PARAMETER");
      assert.equal(p.inputs.name, `/rez-agent/${e.stage}/ntfy-url`);
      assert.equal(p.inputs.type, "String", "the functions read a String parameter");
      assert.ok(isSecret(p.inputs.value), "the topic stays a Pulumi secret: whoever has the URL reads the notifications");
      assert.equal(reveal(p.inputs.value), ntfyUrlInUse(current().res, e));
    });

    it("exports the API key and the topic URL as secret outputs (apiKey, ntfyTopicUrl), and no other output as secret", () => {
      const { run, res } = current();
      assert.equal(run.outputs.apiKey, apiKeyInUse(res, e));
      assert.equal(run.outputs.ntfyTopicUrl, ntfyUrlInUse(res, e));
      assert.deepEqual(run.secretOutputs, ["apiKey", "ntfyTopicUrl"]);
    });
  });

  describe("the message table outlives every deploy", () => {
    it("is protected, retained on delete and never deleted before a replacement, in this stage too", () => {
      const t = current().res.named(TABLE, name("messages"));
      assert.deepEqual(t.options, { protect: true, retainOnDelete: true, deleteBeforeReplace: false, additionalSecretOutputs: [] });
    });

    it("is the only resource protected or retained, so the rest of the stack can be destroyed", () => {
      for (const r of current().res.all) {
        if (r.type === TABLE) continue;
        assert.deepEqual([r.options.protect, r.options.retainOnDelete], [false, false], `${r.type} ${r.name}`);
      }
    });
  });

  describe("CORS", () => {
    it("configures CORS on the HTTP API exactly when corsOrigins is set: its origins, the methods, headers and max age", () => {
      const api = current().res.named("aws:apigatewayv2/api:Api", name("api"));
      if (e.corsOrigins === undefined) {
        assert.equal(api.inputs.corsConfiguration, undefined);
        return;
      }
      assert.deepEqual(api.inputs.corsConfiguration, {
        allowOrigins: e.corsOrigins,
        allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allowHeaders: ["authorization", "content-type", "idempotency-key"],
        exposeHeaders: ["location", "idempotent-replayed", "x-request-id"],
        maxAge: 600,
      });
    });

    it("gives the webapi the same origins as REZ_CORS_ORIGINS exactly when corsOrigins is set, and no other function", () => {
      const api = current().res.named("aws:apigatewayv2/api:Api", name("api"));
      const webapi = envOf("webapi").REZ_CORS_ORIGINS;
      if (e.corsOrigins === undefined) {
        assert.equal(webapi, undefined);
      } else {
        assert.equal(webapi, e.corsOrigins.join(","));
        assert.deepEqual(webapi.split(","), api.inputs.corsConfiguration.allowOrigins);
      }
      for (const fn of ["scheduler", "processor", "load-message", "send-notification", "record-status"]) {
        assert.ok(!("REZ_CORS_ORIGINS" in envOf(fn)), fn);
      }
    });
  });
}
