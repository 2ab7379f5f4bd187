// Every physical name the stack gives a resource, built from the configured
// `namePrefix` and the stage (and, for IAM roles, the region), and the limits
// AWS (and ntfy) put on each kind of name. loadConfig refuses a prefix that
// would make any of them too long, before a resource is declared.

/** The six Lambdas, by the name of their zip in the build directory (`build/<name>.zip`). */
export const FUNCTION_NAMES = [
  "scheduler",
  "processor",
  "webapi",
  "load-message",
  "send-notification",
  "record-status",
] as const;
/** One of FUNCTION_NAMES. */
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/**
 * What each IAM role belongs to, as its name says (`roleName`): the six
 * functions, the state machine (`notification`) and the schedules
 * (`daily-scheduler`). loadConfig checks that every one of them fits IAM's
 * limit in the configured stage and region.
 */
export const ROLE_OWNERS = [...FUNCTION_NAMES, "notification", "daily-scheduler"] as const;
/** One of ROLE_OWNERS. */
export type RoleOwner = (typeof ROLE_OWNERS)[number];

/** The most characters IAM allows in a role name. */
export const IAM_ROLE_NAME_MAX = 64;

/** The first part of every name when `namePrefix` is not configured. */
export const DEFAULT_NAME_PREFIX = "rez-agent";

/** What a `namePrefix` may be: lowercase letters, digits and inner hyphens, starting with a letter. */
export const NAME_PREFIX_PATTERN = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

/**
 * Characters of the random part of a generated ntfy topic name (lowercase
 * letters and digits: about 103 bits). On a public server the name is the
 * only thing that keeps others from reading the topic.
 */
export const GENERATED_TOPIC_SUFFIX_LENGTH = 20;

/** What a name is built from. */
export interface Naming {
  namePrefix: string;
  stage: string;
}

/** `<namePrefix>-<what>-<stage>`: the name of every resource but the IAM roles. */
export function resourceName(cfg: Naming, what: string): string {
  return `${cfg.namePrefix}-${what}-${cfg.stage}`;
}

/**
 * `<namePrefix>-<owner>-<stage>-<region>`: the name of an IAM role. Role
 * names are global to the account, unlike every other name here, so the
 * region keeps the same stage deployed in two regions from taking the other's roles.
 */
export function roleName(cfg: Naming & { region: string }, owner: RoleOwner): string {
  return `${cfg.namePrefix}-${owner}-${cfg.stage}-${cfg.region}`;
}

/** `/<namePrefix>/<stage>/<key>`: the name of an SSM parameter. */
export function parameterName(cfg: Naming, key: string): string {
  return `/${cfg.namePrefix}/${cfg.stage}/${key}`;
}

/** `<namePrefix>-<stage>-<suffix>`: the name of a generated ntfy topic. */
export function generatedTopicName(cfg: Naming, suffix: string): string {
  return `${cfg.namePrefix}-${cfg.stage}-${suffix}`;
}

/** A kind of name, the longest of that kind the stack makes, and the most characters its service allows. */
export interface NameLimit {
  kind: string;
  longest: string;
  max: number;
}

/**
 * The longest name of each kind the stack makes (besides the IAM roles,
 * which loadConfig checks with the region), with its service's limit. The
 * test that walks every declared resource at the longest accepted prefix
 * keeps this list complete.
 */
export function nameLimits(cfg: Naming): NameLimit[] {
  const longest = (names: string[]) => names.reduce((a, b) => (b.length > a.length ? b : a));
  const r = (what: string) => resourceName(cfg, what);
  return [
    { kind: "Lambda function", max: 64, longest: longest(FUNCTION_NAMES.map(r)) },
    { kind: "EventBridge Scheduler schedule", max: 64, longest: longest([r("daily-scheduler"), r("reconcile")]) },
    { kind: "EventBridge Scheduler schedule group", max: 64, longest: r("schedules") },
    { kind: "ntfy topic", max: 64, longest: generatedTopicName(cfg, "x".repeat(GENERATED_TOPIC_SUFFIX_LENGTH)) },
    { kind: "SQS queue", max: 80, longest: longest([r("notifications-queue"), r("notifications-dlq"), r("schedule-dlq")]) },
    { kind: "Step Functions state machine", max: 80, longest: r("notification") },
    { kind: "API Gateway API", max: 128, longest: r("api") },
    { kind: "IAM inline policy", max: 128, longest: `${r("send-notification")}-policy` },
    { kind: "DynamoDB table", max: 255, longest: r("messages") },
    { kind: "CloudWatch alarm", max: 255, longest: r("schedule-dlq-messages") },
    { kind: "SNS topic", max: 256, longest: r("notifications") },
    { kind: "CloudWatch log group", max: 512, longest: `/aws/lambda/${r("send-notification")}` },
    { kind: "SSM parameter", max: 1011, longest: parameterName(cfg, "ntfy-token") },
  ];
}

/** The role names longer than IAM allows, for `cfg`. */
export function tooLongRoleNames(cfg: Naming & { region: string }): string[] {
  return ROLE_OWNERS.map((owner) => roleName(cfg, owner)).filter((n) => n.length > IAM_ROLE_NAME_MAX);
}

/**
 * Why `namePrefix` cannot be used in this stage and region, or undefined: its
 * characters, or the first name it would make too long (an IAM role name, or
 * a name of nameLimits). A region that makes a role name too long with any
 * prefix is the region's problem (loadConfig reports it), not the prefix's.
 */
export function namePrefixProblem(cfg: Naming & { region: string }): string | undefined {
  const p = cfg.namePrefix;
  if (!NAME_PREFIX_PATTERN.test(p)) {
    return `config 'namePrefix' must be lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen, got '${p}'`;
  }
  const role = tooLongRoleNames(cfg)[0];
  if (role !== undefined && tooLongRoleNames({ ...cfg, namePrefix: DEFAULT_NAME_PREFIX }).length === 0) {
    return `config 'namePrefix' '${p}' makes the IAM role name '${role}' ${role.length} characters long; IAM allows ${IAM_ROLE_NAME_MAX}`;
  }
  const over = nameLimits(cfg).find((l) => l.longest.length > l.max);
  if (over !== undefined) {
    return `config 'namePrefix' '${p}' makes the ${over.kind} name '${over.longest}' ${over.longest.length} characters long; it may have ${over.max}`;
  }
  return undefined;
}
