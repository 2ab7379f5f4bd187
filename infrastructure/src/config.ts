// The stack configuration: read, validated, and turned into one typed object
// before any resource is declared. Every check here fails with a message that
// names the config key and what would be accepted.

import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

export const STAGES = ["dev", "stage", "prod"] as const;
export type Stage = (typeof STAGES)[number];

export const ARCHITECTURES = ["x86_64", "arm64"] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** The values CloudWatch Logs accepts for a log group's retention (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

export const DEFAULT_SCHEDULER_CRON = "cron(0 12 * * ? *)";

/** The six Lambdas, by the name of their zip in the build directory (`build/<name>.zip`). */
export const FUNCTION_NAMES = [
  "scheduler",
  "processor",
  "webapi",
  "load-message",
  "send-notification",
  "record-status",
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The stack configuration as read, before validation (strings as `pulumi config` holds them). */
export interface RawConfig {
  region?: string;
  stage?: string;
  ntfyUrl?: string;
  logRetentionDays?: string | number;
  enableXRay?: string | boolean;
  schedulerCron?: string;
  architecture?: string;
  alarmEmail?: string;
  apiDomain?: string;
  certificateArn?: string;
  parameterKmsKeyArn?: string;
  /** Pulumi secrets: kept as Outputs so their values never leave the secret path. */
  ntfyToken?: pulumi.Input<string>;
  apiKey?: pulumi.Input<string>;
}

export interface RezConfig {
  project: "rez-agent";
  region: string;
  stage: Stage;
  ntfyUrl: string;
  logRetentionDays: number;
  enableXRay: boolean;
  schedulerCron: string;
  architecture: Architecture;
  alarmEmail?: string;
  customDomain?: { domainName: string; certificateArn: string };
  /** A customer-managed KMS key for the SecureStrings; unset = the AWS-managed `alias/aws/ssm`. */
  parameterKmsKeyArn?: string;
  ntfyToken?: pulumi.Input<string>;
  apiKey?: pulumi.Input<string>;
  /** Absolute path of each function's zip, checked to exist. */
  zips: Record<FunctionName, string>;
  /** Tags on every taggable resource. */
  tags: Record<string, string>;
}

/** Where the zips are, and how to tell whether one exists (injected by tests). */
export interface BuildOptions {
  buildDir: string;
  fileExists?: (file: string) => boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const CRON_FIELD = /^[0-9A-Za-z*?,\/#L W-]+$/;
const RATE = /^rate\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\)$/;

/**
 * Checks an EventBridge Scheduler expression: `cron(min hour dom month dow year)`
 * (six fields, exactly one of day-of-month and day-of-week is `?`) or `rate(N unit)`.
 * Returns the reason it is malformed, or undefined.
 */
export function cronProblem(expr: string): string | undefined {
  if (RATE.test(expr)) return undefined;
  const m = /^cron\((.*)\)$/.exec(expr);
  if (!m) return "it must be cron(minutes hours day-of-month month day-of-week year) or rate(N units)";
  const fields = m[1].trim().split(/\s+/);
  if (fields.length !== 6) {
    return `a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one has ${fields.length}`;
  }
  const bad = fields.find((f) => !CRON_FIELD.test(f));
  if (bad !== undefined) return `the field '${bad}' has characters a cron field cannot have`;
  const [minutes, hours, dom, , dow] = fields;
  if ((dom === "?") === (dow === "?")) {
    return "exactly one of day-of-month (3rd field) and day-of-week (5th field) must be '?'";
  }
  const range = (f: string, max: number, name: string): string | undefined => {
    for (const n of f.split(/[,\/-]/)) {
      if (/^\d+$/.test(n) && Number(n) > max) return `${name} '${f}' is out of range 0-${max}`;
    }
    return undefined;
  };
  return range(minutes, 59, "minutes") ?? range(hours, 23, "hours");
}

function bool(key: string, v: string | boolean | undefined, dflt: boolean): boolean {
  if (v === undefined || v === "") return dflt;
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  throw new ConfigError(`config '${key}' must be true or false, got '${v}'`);
}

/**
 * Validates the raw configuration and the presence of the function zips.
 * Throws a ConfigError naming every problem at once; declares nothing.
 */
export function loadConfig(raw: RawConfig, build: BuildOptions): RezConfig {
  const problems: string[] = [];
  const exists = build.fileExists ?? ((f: string) => fs.existsSync(f));

  const region = raw.region ?? "";
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) {
    problems.push(`config 'aws:region' must be an AWS region such as us-east-1, got '${region}'`);
  }

  const stage = raw.stage ?? "";
  if (!(STAGES as readonly string[]).includes(stage)) {
    problems.push(`config 'stage' must be one of ${STAGES.join(", ")}, got '${stage}'`);
  }

  const ntfyUrl = raw.ntfyUrl ?? "";
  let urlOk = false;
  try {
    const u = new URL(ntfyUrl);
    urlOk = (u.protocol === "https:" || u.protocol === "http:") && u.pathname.length > 1;
  } catch {
    urlOk = false;
  }
  if (!urlOk) {
    problems.push(`config 'ntfyUrl' must be the URL of an ntfy topic such as https://ntfy.sh/my-topic, got '${ntfyUrl}'`);
  }

  const retentionText = raw.logRetentionDays === undefined ? "" : String(raw.logRetentionDays);
  const logRetentionDays = Number(retentionText);
  if (!/^\d+$/.test(retentionText) || !(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    problems.push(
      `config 'logRetentionDays' must be a retention CloudWatch Logs allows (${LOG_RETENTION_DAYS.join(", ")}), got '${retentionText}'`,
    );
  }

  let enableXRay = false;
  try {
    enableXRay = bool("enableXRay", raw.enableXRay, false);
  } catch (e) {
    problems.push((e as Error).message);
  }

  const schedulerCron = raw.schedulerCron === undefined || raw.schedulerCron === "" ? DEFAULT_SCHEDULER_CRON : raw.schedulerCron;
  const cronWhy = cronProblem(schedulerCron);
  if (cronWhy) problems.push(`config 'schedulerCron' is malformed ('${schedulerCron}'): ${cronWhy}`);

  const architecture = raw.architecture === undefined || raw.architecture === "" ? "x86_64" : raw.architecture;
  if (!(ARCHITECTURES as readonly string[]).includes(architecture)) {
    problems.push(`config 'architecture' must be one of ${ARCHITECTURES.join(", ")}, got '${architecture}'`);
  }

  const alarmEmail = raw.alarmEmail || undefined;
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    problems.push(`config 'alarmEmail' must be an email address, got '${alarmEmail}'`);
  }

  const apiDomain = raw.apiDomain || undefined;
  const certificateArn = raw.certificateArn || undefined;
  if ((apiDomain === undefined) !== (certificateArn === undefined)) {
    problems.push("config 'apiDomain' and 'certificateArn' go together: set both for a custom domain, or neither");
  } else if (certificateArn !== undefined && !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/.test(certificateArn)) {
    problems.push(`config 'certificateArn' must be an ACM certificate ARN, got '${certificateArn}'`);
  } else if (apiDomain !== undefined && !/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/.test(apiDomain)) {
    problems.push(`config 'apiDomain' must be a domain name such as api.example.com, got '${apiDomain}'`);
  }

  const parameterKmsKeyArn = raw.parameterKmsKeyArn || undefined;
  if (parameterKmsKeyArn !== undefined && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/.test(parameterKmsKeyArn)) {
    problems.push(`config 'parameterKmsKeyArn' must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), got '${parameterKmsKeyArn}'`);
  }

  const zips = {} as Record<FunctionName, string>;
  const missing: string[] = [];
  for (const name of FUNCTION_NAMES) {
    const zip = path.resolve(build.buildDir, `${name}.zip`);
    zips[name] = zip;
    if (!exists(zip)) missing.push(zip);
  }
  if (missing.length > 0) {
    problems.push(
      `the Lambda zips are missing (build them with 'make build' at the repository root): ${missing.join(", ")}`,
    );
  }

  if (problems.length > 0) {
    throw new ConfigError(`rez-agent: the stack configuration is invalid:\n  - ${problems.join("\n  - ")}`);
  }

  const st = stage as Stage;
  return {
    project: "rez-agent",
    region,
    stage: st,
    ntfyUrl,
    logRetentionDays,
    enableXRay,
    schedulerCron,
    architecture: architecture as Architecture,
    alarmEmail,
    customDomain: apiDomain && certificateArn ? { domainName: apiDomain, certificateArn } : undefined,
    parameterKmsKeyArn,
    ntfyToken: raw.ntfyToken,
    apiKey: raw.apiKey,
    zips,
    tags: {
      Project: "rez-agent",
      Stage: st,
      Environment: st === "prod" ? "production" : st === "stage" ? "staging" : "development",
      ManagedBy: "pulumi",
    },
  };
}

/** Reads the raw configuration of the current stack (`pulumi config`). */
export function readStackConfig(): RawConfig {
  const cfg = new pulumi.Config();
  const aws = new pulumi.Config("aws");
  return {
    region: aws.get("region"),
    stage: cfg.get("stage"),
    ntfyUrl: cfg.get("ntfyUrl"),
    logRetentionDays: cfg.get("logRetentionDays"),
    enableXRay: cfg.get("enableXRay"),
    schedulerCron: cfg.get("schedulerCron"),
    architecture: cfg.get("architecture"),
    alarmEmail: cfg.get("alarmEmail"),
    apiDomain: cfg.get("apiDomain"),
    certificateArn: cfg.get("certificateArn"),
    parameterKmsKeyArn: cfg.get("parameterKmsKeyArn"),
    ntfyToken: cfg.getSecret("ntfyToken"),
    apiKey: cfg.getSecret("apiKey"),
  };
}

/** `rez-agent-<what>-<stage>`: the name of every resource. */
export function resourceName(cfg: Pick<RezConfig, "stage">, what: string): string {
  return `rez-agent-${what}-${cfg.stage}`;
}
