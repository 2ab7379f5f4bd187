// Bad configuration fails with a clear message before any resource is
// declared; the stack files themselves are valid; the definition helpers
// refuse placeholders they cannot fill.

import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, it } from "node:test";
import { readStackFile } from "../src/stack-file";
import { fixtureBuildDir, recorded, runStack, stackConfig, valueOf } from "./harness";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, DEFAULT_SCHEDULER_CRON, MIN_API_KEY_LENGTH, RawConfig, corsOrigins, cronProblem, loadConfig } from "../src/config";
import { placeholdersOf, readDefinition, substituteDefinition } from "../src/workflow";
import { defineStack } from "../src/stack";
import { DEFINITION_FILE } from "./common";

const GOOD: RawConfig = {
  region: "us-east-1",
  stage: "dev",
  ntfyUrl: "https://ntfy.example.org/rez-agent-dev",
  logRetentionDays: "7",
  enableXRay: "true",
  schedulerCron: "cron(0 12 * * ? *)",
};
const allZips = { buildDir: "/nowhere/build", fileExists: () => true };

function rejects(raw: RawConfig, pattern: RegExp, build = allZips): void {
  assert.throws(
    () => loadConfig(raw, build),
    (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
  );
}

describe("config validation", () => {
  it("accepts a good configuration and fills the defaults", () => {
    const cfg = loadConfig({ ...GOOD, schedulerCron: undefined, architecture: undefined, enableXRay: undefined }, allZips);
    assert.equal(cfg.schedulerCron, DEFAULT_SCHEDULER_CRON);
    assert.equal(cfg.schedulerCron, "cron(0 12 * * ? *)");
    assert.equal(cfg.architecture, "x86_64");
    assert.equal(cfg.enableXRay, false);
    assert.equal(cfg.logRetentionDays, 7);
    assert.equal(cfg.customDomain, undefined);
    assert.deepEqual(cfg.tags, { Project: "rez-agent", Stage: "dev", Environment: "development", ManagedBy: "pulumi" });
    assert.equal(cfg.zips.processor, path.resolve("/nowhere/build/processor.zip"));
  });

  it("rejects an unknown stage, naming the allowed ones", () => {
    rejects({ ...GOOD, stage: "qa" }, /config 'stage' must be one of dev, stage, prod, got 'qa'/);
    rejects({ ...GOOD, stage: undefined }, /config 'stage'/);
  });

  for (const cron of ["cron(0 12 * * * *)", "cron(0 12 * * ?)", "0 12 * * ? *", "cron(61 12 * * ? *)", "cron(0 25 * * ? *)", "cron(0 12 ? * ? *)", "cron(0 12 * * ? *", "cron(0 12 $ * ? *)", "rate(0 minutes)", "rate(5 minute)"]) {
    it(`rejects the malformed schedule ${cron}`, () => {
      rejects({ ...GOOD, schedulerCron: cron }, /config 'schedulerCron' is malformed/);
    });
  }

  for (const cron of ["cron(0 12 * * ? *)", "cron(30 6 ? * MON-FRI *)", "cron(0/15 8-17 ? * 2-6 *)", "cron(0 9 L * ? *)", "cron(0 10 ? * 6#3 *)", "rate(1 day)", "rate(30 minutes)"]) {
    it(`accepts the schedule ${cron}`, () => {
      assert.equal(cronProblem(cron), undefined);
    });
  }

  for (const days of ["0", "2", "10", "-7", "seven", "7.5", "4000"]) {
    it(`rejects logRetentionDays ${days}, which CloudWatch does not allow`, () => {
      rejects({ ...GOOD, logRetentionDays: days }, /config 'logRetentionDays' must be a retention CloudWatch Logs allows \(1, 3, 5, 7, 14, 30/);
    });
  }

  it("accepts every retention CloudWatch allows", () => {
    for (const d of [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]) {
      assert.equal(loadConfig({ ...GOOD, logRetentionDays: String(d) }, allZips).logRetentionDays, d);
    }
  });

  it("rejects an unknown architecture, a bad X-Ray flag, a bad region and a bad ntfy URL", () => {
    rejects({ ...GOOD, architecture: "aarch64" }, /config 'architecture' must be one of x86_64, arm64, got 'aarch64'/);
    rejects({ ...GOOD, enableXRay: "yes" }, /config 'enableXRay' must be true or false, got 'yes'/);
    rejects({ ...GOOD, region: "mars-1" }, /config 'aws:region'/);
    rejects({ ...GOOD, ntfyUrl: "ntfy.sh/topic" }, /config 'ntfyUrl'/);
    rejects({ ...GOOD, ntfyUrl: "https://ntfy.sh/" }, /config 'ntfyUrl'/);
    assert.equal(loadConfig({ ...GOOD, architecture: "arm64" }, allZips).architecture, "arm64");
  });

  it("leaves ntfyUrl, apiKey and CORS unset when they are not configured (or empty), so the stack generates the first two", () => {
    for (const unset of [undefined, ""]) {
      const cfg = loadConfig({ ...GOOD, ntfyUrl: unset, apiKey: unset, ntfyToken: unset, corsOrigins: unset }, allZips);
      assert.equal(cfg.ntfyUrl, undefined);
      assert.equal(cfg.apiKey, undefined);
      assert.equal(cfg.ntfyToken, undefined);
      assert.deepEqual(cfg.corsOrigins, []);
    }
  });

  it(`refuses a configured apiKey shorter than ${MIN_API_KEY_LENGTH} characters, naming the key and the rule but never the key`, () => {
    const short = "s3cret-".padEnd(MIN_API_KEY_LENGTH - 1, "x");
    assert.throws(
      () => loadConfig({ ...GOOD, apiKey: short }, allZips),
      (e: unknown) =>
        e instanceof ConfigError &&
        /config 'apiKey' must be at least 32 characters, this one has 31/.test(e.message) &&
        !e.message.includes("s3cret"),
    );
    rejects({ ...GOOD, apiKey: `${"k".repeat(32)} with spaces` }, /config 'apiKey' must be visible ASCII characters without spaces/);
  });

  it(`takes a configured apiKey of ${MIN_API_KEY_LENGTH} characters or more, and keeps it and the ntfy token secret`, async () => {
    const key = "k".repeat(MIN_API_KEY_LENGTH);
    const cfg = loadConfig({ ...GOOD, apiKey: key, ntfyToken: "tk_token" }, allZips);
    assert.ok(cfg.apiKey && (await pulumi.isSecret(cfg.apiKey)));
    assert.equal(await valueOf(cfg.apiKey), key);
    assert.ok(cfg.ntfyToken && (await pulumi.isSecret(cfg.ntfyToken)));
  });

  it("reads ntfyUrl and apiKey set with --secret, as pulumi up does (pulumi.Config), and keeps both secret", async () => {
    const P = "rez-agent-infrastructure";
    const url = "https://ntfy.example.org/private-topic";
    const key = "k".repeat(MIN_API_KEY_LENGTH);
    const raw = stackConfig("dev", { [`${P}:ntfyUrl`]: url, [`${P}:apiKey`]: key }, [`${P}:ntfyUrl`, `${P}:apiKey`]);
    assert.deepEqual([raw.ntfyUrl, raw.apiKey], [url, key]);
    const cfg = loadConfig(raw, allZips);
    assert.equal(cfg.ntfyUrl, url);
    assert.ok(cfg.apiKey && (await pulumi.isSecret(cfg.apiKey)));
  });

  for (const [text, origins] of [
    ["https://console.example.com", ["https://console.example.com"]],
    ["https://console.example.com:8443,http://localhost:5173", ["https://console.example.com:8443", "http://localhost:5173"]],
    [" https://Console.Example.COM/ , http://localhost ", ["https://console.example.com", "http://localhost"]],
    ["https://a.example.com:443,https://a.example.com", ["https://a.example.com"]],
    ["*", ["*"]],
  ] as const) {
    it(`reads corsOrigins '${text}' as the origins browsers send: ${origins.join(", ")}`, () => {
      assert.deepEqual(loadConfig({ ...GOOD, corsOrigins: text }, allZips).corsOrigins, origins);
    });
  }

  for (const [entry, why] of [
    ["console.example.com", /an origin is scheme:\/\/host\[:port\]/],
    ["https://console.example.com/app", /no path/],
    ["https://console.example.com?x=1", /no path, query/],
    ["https://user@console.example.com", /user name/],
    ["ftp://console.example.com", /the scheme must be https, not ftp/],
    ["http://console.example.com", /plain http is allowed only for localhost/],
    ["https://*.example.com", /'\*\.example\.com' is not a host name/],
    ["https://console.example.com:99999", /it is not a URL/],
    ["", /an origin is scheme/],
  ] as const) {
    it(`refuses the corsOrigins entry '${entry}', naming it`, () => {
      const text = `https://ok.example.com,${entry}`;
      const { problems } = corsOrigins(text);
      assert.equal(problems.length, 1, problems.join("; "));
      assert.ok(problems[0].startsWith(`config 'corsOrigins' has '${entry}', which is not an origin ('*', https://host[:port] or http://localhost[:port]): `), problems[0]);
      assert.match(problems[0], why);
      rejects({ ...GOOD, corsOrigins: text }, new RegExp(`config 'corsOrigins' has '${entry.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}'`));
    });
  }

  it("refuses '*' beside other origins", () => {
    rejects({ ...GOOD, corsOrigins: "*,https://console.example.com" }, /config 'corsOrigins' lists '\*' beside other origins/);
  });

  it("wants apiDomain and certificateArn together, and well-formed", () => {
    rejects({ ...GOOD, apiDomain: "api.example.com" }, /'apiDomain' and 'certificateArn' go together/);
    rejects({ ...GOOD, certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc" }, /go together/);
    rejects({ ...GOOD, apiDomain: "api.example.com", certificateArn: "not-an-arn" }, /config 'certificateArn' must be an ACM certificate ARN/);
    rejects({ ...GOOD, alarmEmail: "nobody" }, /config 'alarmEmail' must be an email address/);
    rejects({ ...GOOD, parameterKmsKeyArn: "alias/mine" }, /config 'parameterKmsKeyArn' must be a KMS key ARN/);
  });

  it("names every missing zip, with the command that builds them (through the injected file check)", () => {
    const seen: string[] = [];
    const build = {
      buildDir: "/repo/build",
      fileExists: (f: string) => {
        seen.push(f);
        return !f.endsWith("webapi.zip") && !f.endsWith("record-status.zip");
      },
    };
    assert.throws(
      () => loadConfig(GOOD, build),
      (e: unknown) =>
        e instanceof ConfigError &&
        /the Lambda zips are missing \(build them with 'make build' at the repository root\): \/repo\/build\/webapi\.zip, \/repo\/build\/record-status\.zip/.test(e.message) &&
        !/processor\.zip/.test(e.message),
    );
    assert.equal(seen.length, 6);
  });

  it("finds real zips on disk in a build dir (the default file check)", () => {
    const dir = fixtureBuildDir();
    assert.doesNotThrow(() => loadConfig(GOOD, { buildDir: dir }));
    fs.rmSync(path.join(dir, "scheduler.zip"));
    rejects(GOOD, /missing.*scheduler\.zip/, { buildDir: dir } as typeof allZips);
  });

  it("reports every problem at once", () => {
    assert.throws(
      () => loadConfig({ ...GOOD, stage: "qa", logRetentionDays: "2", schedulerCron: "daily" }, { buildDir: "/x", fileExists: () => false }),
      (e: unknown) => {
        const m = (e as Error).message;
        return /'stage'/.test(m) && /'logRetentionDays'/.test(m) && /'schedulerCron'/.test(m) && /zips are missing/.test(m);
      },
    );
  });
});

describe("the stack files", () => {
  for (const [stack, retention] of [["dev", 7], ["prod", 30]] as const) {
    it(`Pulumi.${stack}.yaml sets every key and passes validation`, () => {
      const f = readStackFile(path.join(__dirname, "..", `Pulumi.${stack}.yaml`));
      const P = "rez-agent-infrastructure";
      for (const key of ["aws:region", `${P}:stage`, `${P}:logRetentionDays`, `${P}:enableXRay`, `${P}:schedulerCron`, `${P}:architecture`, `${P}:logLevel`]) {
        assert.ok(f[key] !== undefined, `${key} in Pulumi.${stack}.yaml`);
      }
      const cfg = loadConfig(
        {
          region: f["aws:region"],
          stage: f[`${P}:stage`],
          logRetentionDays: f[`${P}:logRetentionDays`],
          enableXRay: f[`${P}:enableXRay`],
          schedulerCron: f[`${P}:schedulerCron`],
          architecture: f[`${P}:architecture`],
          logLevel: f[`${P}:logLevel`],
        },
        allZips,
      );
      assert.equal(cfg.stage, stack);
      assert.equal(cfg.logRetentionDays, retention);
      assert.equal(cfg.schedulerCron, "cron(0 12 * * ? *)");
      assert.equal(cfg.logLevel, "INFO");
    });

    it(`Pulumi.${stack}.yaml names no ntfy topic and no API key, so the stack generates private ones, and says how to read them`, () => {
      const file = path.join(__dirname, "..", `Pulumi.${stack}.yaml`);
      const f = readStackFile(file);
      const P = "rez-agent-infrastructure";
      for (const key of [`${P}:ntfyUrl`, `${P}:apiKey`, `${P}:ntfyToken`]) assert.equal(f[key], undefined, `${key} in Pulumi.${stack}.yaml`);
      const text = fs.readFileSync(file, "utf8");
      assert.doesNotMatch(text, /ntfy\.sh/, "no topic on the public server, not even in a comment");
      assert.match(text, /pulumi stack output apiKey --show-secrets/);
      assert.match(text, /pulumi stack output ntfyTopicUrl --show-secrets/);
    });
  }

  it("Pulumi.yaml names the project rez-agent-infrastructure on the nodejs runtime", () => {
    const text = fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8");
    assert.match(text, /^name: rez-agent-infrastructure$/m);
    assert.match(text, /^runtime:\n {2}name: nodejs$/m);
  });
});

describe("the definition's placeholders", () => {
  it("are exactly the three task functions", () => {
    const text = fs.readFileSync(DEFINITION_FILE, "utf8");
    assert.deepEqual(placeholdersOf(text).sort(), ["LoadMessageFunctionArn", "RecordStatusFunctionArn", "SendNotificationFunctionArn"]);
  });

  it("must all get a value", () => {
    assert.throws(() => substituteDefinition('{"Resource": "${A}", "Other": "${B}"}', { A: "arn:a" }), /placeholders with no value: \$\{B\}/);
    assert.equal(substituteDefinition('{"R": "${A}", "S": "${A}"}', { A: "arn:a" }), '{"R": "arn:a", "S": "arn:a"}');
  });

  it("must be known to the program, and the definition must be JSON", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rez-def-"));
    const odd = path.join(dir, "odd.asl.json");
    fs.writeFileSync(odd, '{"StartAt": "X", "States": {"X": {"Type": "Task", "Resource": "${MysteryFunctionArn}", "End": true}}}');
    assert.throws(() => readDefinition(odd, ["LoadMessageFunctionArn"]), /placeholders this program does not provide: MysteryFunctionArn/);
    const broken = path.join(dir, "broken.asl.json");
    fs.writeFileSync(broken, "{ not json");
    assert.throws(() => readDefinition(broken, []), /is not JSON/);
    assert.throws(() => readDefinition(path.join(dir, "missing.json"), []), /cannot read the state machine definition/);
  });
});

describe("nothing is declared when the configuration is bad", () => {
  it("throws before the first resource for a bad config, a missing zip or a bad definition", async () => {
    assert.throws(() => defineStack({ ...GOOD, stage: "qa" }, { buildDir: fixtureBuildDir() }), /config 'stage'/);
    assert.throws(() => defineStack(GOOD, { buildDir: "/no/such/build" }), /zips are missing/);
    assert.throws(() => defineStack({ ...GOOD, schedulerCron: "cron(bad)" }, { buildDir: fixtureBuildDir() }), /schedulerCron/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rez-def-"));
    fs.writeFileSync(path.join(dir, "d.json"), '{"R": "${Unknown}"}');
    assert.throws(() => defineStack(GOOD, { buildDir: fixtureBuildDir(), definitionPath: path.join(dir, "d.json") }), /Unknown/);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(recorded.length, 0, recorded.map((r) => r.type).join(", "));
  });

  it("declares the whole stack once the configuration is good (the control)", async () => {
    const run = await runStack(GOOD);
    assert.ok(run.resources.length > 50, `${run.resources.length} resources`);
  });
});

describe("the entry point", () => {
  it("exports every required stack output", () => {
    const text = fs.readFileSync(path.join(__dirname, "..", "index.ts"), "utf8");
    for (const o of [
      "dynamodbTableName",
      "snsTopicArn",
      "sqsQueueUrl",
      "dlqUrl",
      "apiGatewayId",
      "apiGatewayEndpoint",
      "webapiUrl",
      "stateMachineArn",
      "stateMachineConsoleUrl",
      "apiKey",
      "ntfyTopicUrl",
    ]) {
      assert.match(text, new RegExp(`^export const ${o} = outputs\\.${o};$`, "m"), o);
    }
  });
});
