// The stack configuration: read, validated, and turned into one typed object
// before any resource is declared. Every check here fails with a message that
// names the config key and what would be accepted.

import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
  DEFAULT_NAME_PREFIX,
  FUNCTION_NAMES,
  FunctionName,
  IAM_ROLE_NAME_MAX,
  NAME_PREFIX_PATTERN,
  namePrefixProblem,
  tooLongRoleNames,
} from "./names";
import { Rollout, readRollout } from "./rollout";

/** The stages a stack can be. */
export const STAGES = ["dev", "stage", "prod"] as const;
/** One of STAGES. */
export type Stage = (typeof STAGES)[number];

/** The instruction sets a function can run on. */
export const ARCHITECTURES = ["x86_64", "arm64"] as const;
/** One of ARCHITECTURES. */
export type Architecture = (typeof ARCHITECTURES)[number];

/** The values CloudWatch Logs accepts for a log group's retention (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** When the daily run happens when `schedulerCron` is not configured: 12:00 UTC. */
export const DEFAULT_SCHEDULER_CRON = "cron(0 12 * * ? *)";

/**
 * The application log levels the functions can use, most detailed first:
 * Lambda's (`loggingConfig.applicationLogLevel`) without `FATAL`, which Rust's
 * `tracing` has no level for, so that setting would keep no line at all.
 * Lambda hands the chosen one to the function as `AWS_LAMBDA_LOG_LEVEL` and
 * drops JSON log lines below it.
 */
export const LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"] as const;
/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The application log level when `logLevel` is not configured (Lambda's own default). */
export const DEFAULT_LOG_LEVEL: LogLevel = "INFO";

/** The fewest characters a configured `apiKey` may have (32 hex digits are 128 random bits). */
export const MIN_API_KEY_LENGTH = 32;

// The names live in src/names.ts; these are re-exported for the modules that
// read them beside the configuration.
export { FUNCTION_NAMES, IAM_ROLE_NAME_MAX, ROLE_OWNERS, resourceName, roleName } from "./names";
export type { FunctionName, RoleOwner } from "./names";

/** The stack configuration as read, before validation (strings as `pulumi config` holds them). */
export interface RawConfig {
  region?: string;
  stage?: string;
  ntfyUrl?: string;
  logRetentionDays?: string | number;
  enableXRay?: string | boolean;
  customMetrics?: string | boolean;
  schedulerCron?: string;
  architecture?: string;
  logLevel?: string;
  alarmEmail?: string;
  apiDomain?: string;
  certificateArn?: string;
  parameterKmsKeyArn?: string;
  /** Comma-separated origins CORS allows; unset = CORS off. */
  corsOrigins?: string;
  /**
   * Pulumi secrets, as text only so that loadConfig can check them (never
   * putting the value in a message); it hands them on as secret Outputs.
   */
  ntfyToken?: string;
  apiKey?: string;
  /** The first part of every physical name; unset = DEFAULT_NAME_PREFIX. */
  namePrefix?: string;
  /** Function → published version, as a map or the JSON text `pulumi config` holds for one. */
  pinnedVersions?: string | Record<string, unknown>;
  canaryWeight?: string | number;
}

/** The validated configuration every part of the stack is declared from. */
export interface RezConfig {
  project: "rez-agent";
  region: string;
  stage: Stage;
  /** The first part of every physical name (src/names.ts): `rez-agent` unless configured. */
  namePrefix: string;
  /** The pinned versions and the canary's weight: where each `live` alias points (src/rollout.ts). */
  rollout: Rollout;
  /** The configured ntfy topic URL; unset = the stack generates a topic (src/generated.ts). */
  ntfyUrl?: string;
  logRetentionDays: number;
  enableXRay: boolean;
  /** Whether the webapi, scheduler and record-status write the EMF custom metrics (`REZ_CUSTOM_METRICS`). */
  customMetrics: boolean;
  schedulerCron: string;
  architecture: Architecture;
  /** Every function's `loggingConfig.applicationLogLevel`. */
  logLevel: LogLevel;
  alarmEmail?: string;
  customDomain?: { domainName: string; certificateArn: string };
  /** A customer-managed KMS key for the SecureStrings; unset = the AWS-managed `alias/aws/ssm`. */
  parameterKmsKeyArn?: string;
  /** The origins CORS allows, as browsers send them in `Origin` (or `*`); empty = CORS off. */
  corsOrigins: string[];
  /** Secret Outputs. An unset apiKey = the stack generates one (src/generated.ts). */
  ntfyToken?: pulumi.Output<string>;
  apiKey?: pulumi.Output<string>;
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

/** A configuration the program refuses; its message lists every problem. */
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

/** What `corsOrigins` accepts, for the messages that refuse an entry. */
const CORS_ORIGIN_FORMS = "'*', https://host[:port] or http://localhost[:port]";
/** scheme://authority with at most a trailing slash: no path, query, fragment or user name. */
const ORIGIN_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#@\s]+)\/?$/;
const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/**
 * One entry of `corsOrigins` as browsers send it in `Origin` (scheme and host
 * in lower case, no default port, no trailing slash), or the reason it is
 * none of `*`, `https://host[:port]` and `http://localhost[:port]`.
 */
export function corsOrigin(entry: string): { origin: string } | { problem: string } {
  if (entry === "*") return { origin: "*" };
  const shape = ORIGIN_SHAPE.exec(entry);
  if (!shape) return { problem: "an origin is scheme://host[:port], with no path, query or user name" };
  const scheme = shape[1].toLowerCase();
  if (scheme !== "https" && scheme !== "http") return { problem: `the scheme must be https, not ${scheme}` };
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return { problem: "it is not a URL (is the port a number up to 65535?)" };
  }
  if (!HOST_NAME.test(url.hostname)) return { problem: `'${url.hostname}' is not a host name` };
  if (scheme === "http" && url.hostname !== "localhost") return { problem: "plain http is allowed only for localhost; use https" };
  return { origin: url.origin };
}

/**
 * The origins of `corsOrigins` (comma-separated), each as browsers send it,
 * without repeats; the problems of the entries that are not origins.
 */
export function corsOrigins(text: string | undefined): { origins: string[]; problems: string[] } {
  const origins: string[] = [];
  const problems: string[] = [];
  if (text === undefined || text.trim() === "") return { origins, problems };
  for (const entry of text.split(",").map((e) => e.trim())) {
    const parsed = corsOrigin(entry);
    if ("problem" in parsed) {
      problems.push(`config 'corsOrigins' has '${entry}', which is not an origin (${CORS_ORIGIN_FORMS}): ${parsed.problem}`);
    } else if (!origins.includes(parsed.origin)) {
      origins.push(parsed.origin);
    }
  }
  if (origins.includes("*") && origins.length > 1) {
    problems.push("config 'corsOrigins' lists '*' beside other origins: '*' allows every origin, so list it alone");
  }
  return { origins, problems };
}

/** Why a configured API key cannot be used, or undefined. Never quotes the key. */
export function apiKeyProblem(key: string): string | undefined {
  if (key.length < MIN_API_KEY_LENGTH) {
    return `config 'apiKey' must be at least ${MIN_API_KEY_LENGTH} characters, this one has ${key.length}: ` +
      "set a longer one (pulumi config set --secret apiKey \"$(openssl rand -hex 32)\"), or remove it and the stack generates one";
  }
  if (!/^[\x21-\x7e]+$/.test(key)) {
    return "config 'apiKey' must be visible ASCII characters without spaces, so that it fits an Authorization header";
  }
  return undefined;
}

/** Whether `url` is an http(s) URL with a path: an ntfy topic. */
function isTopicUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === "https:" || u.protocol === "http:") && u.pathname.length > 1;
  } catch {
    return false;
  }
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

  const namePrefix = raw.namePrefix === undefined || raw.namePrefix === "" ? DEFAULT_NAME_PREFIX : raw.namePrefix;
  if (problems.length === 0) {
    const tooLong = tooLongRoleNames({ namePrefix: DEFAULT_NAME_PREFIX, stage, region });
    if (tooLong.length > 0) {
      problems.push(
        `config 'aws:region' '${region}' makes the IAM role name '${tooLong[0]}' ${tooLong[0].length} characters long; IAM allows ${IAM_ROLE_NAME_MAX}`,
      );
    } else {
      const prefixWhy = namePrefixProblem({ namePrefix, stage, region });
      if (prefixWhy) problems.push(prefixWhy);
    }
  } else if (!NAME_PREFIX_PATTERN.test(namePrefix)) {
    problems.push(namePrefixProblem({ namePrefix, stage, region }) as string);
  }

  const rollout = readRollout(raw.pinnedVersions, raw.canaryWeight);
  problems.push(...rollout.problems);

  const ntfyUrl = raw.ntfyUrl || undefined;
  if (ntfyUrl !== undefined && !isTopicUrl(ntfyUrl)) {
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

  let customMetrics = false;
  try {
    customMetrics = bool("customMetrics", raw.customMetrics, false);
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

  const logLevel = raw.logLevel === undefined || raw.logLevel === "" ? DEFAULT_LOG_LEVEL : raw.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`config 'logLevel' must be one of Lambda's application log levels ${LOG_LEVELS.join(", ")} (in capitals), got '${logLevel}'`);
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

  const cors = corsOrigins(raw.corsOrigins);
  problems.push(...cors.problems);

  const apiKey = raw.apiKey || undefined;
  const apiKeyWhy = apiKey === undefined ? undefined : apiKeyProblem(apiKey);
  if (apiKeyWhy) problems.push(apiKeyWhy);

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
    namePrefix,
    rollout: rollout.rollout,
    ntfyUrl,
    logRetentionDays,
    enableXRay,
    customMetrics,
    schedulerCron,
    architecture: architecture as Architecture,
    logLevel: logLevel as LogLevel,
    alarmEmail,
    customDomain: apiDomain && certificateArn ? { domainName: apiDomain, certificateArn } : undefined,
    parameterKmsKeyArn,
    corsOrigins: cors.origins,
    ntfyToken: raw.ntfyToken ? pulumi.secret(raw.ntfyToken) : undefined,
    apiKey: apiKey === undefined ? undefined : pulumi.secret(apiKey),
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
  const project = new pulumi.Config();
  const aws = new pulumi.Config("aws");
  return rawConfig((key) => project.get(key), (key) => aws.get(key));
}

/**
 * The raw configuration from its two namespaces: the project's keys and
 * `aws:` keys. `pulumi config` through readStackConfig, or a stack file read
 * outside Pulumi (`make cost`).
 */
export function rawConfig(
  get: (key: string) => string | undefined,
  aws: (key: string) => string | undefined,
): RawConfig {
  return {
    region: aws("region"),
    stage: get("stage"),
    ntfyUrl: get("ntfyUrl"),
    logRetentionDays: get("logRetentionDays"),
    enableXRay: get("enableXRay"),
    customMetrics: get("customMetrics"),
    schedulerCron: get("schedulerCron"),
    architecture: get("architecture"),
    logLevel: get("logLevel"),
    alarmEmail: get("alarmEmail"),
    apiDomain: get("apiDomain"),
    certificateArn: get("certificateArn"),
    parameterKmsKeyArn: get("parameterKmsKeyArn"),
    corsOrigins: get("corsOrigins"),
    // Read as text to be checked; loadConfig makes them secrets again.
    ntfyToken: get("ntfyToken"),
    apiKey: get("apiKey"),
    namePrefix: get("namePrefix"),
    // A map, held as JSON text; loadConfig parses and checks it.
    pinnedVersions: get("pinnedVersions"),
    canaryWeight: get("canaryWeight"),
  };
}
