// IAM helpers: trust policies and policy documents built from resource ARNs
// (Outputs), so every statement names the exact resources it is about.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface Statement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: pulumi.Input<string>[];
  Condition?: Record<string, Record<string, pulumi.Input<string> | string[]>>;
}

/** A policy document as a JSON string, with every Output resolved. */
export function policyDocument(statements: Statement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * A role that only `service` (e.g. lambda.amazonaws.com) can assume.
 * @param logicalName the Pulumi resource name (what the state knows it by)
 * @param roleName the role's name in IAM, unique in the account (config.roleName)
 */
export function serviceRole(
  logicalName: string,
  roleName: string,
  service: string,
  description: string,
  tags: Record<string, string>,
  opts?: pulumi.CustomResourceOptions,
): aws.iam.Role {
  return new aws.iam.Role(
    logicalName,
    {
      name: roleName,
      description,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
      }),
      tags,
    },
    opts,
  );
}

/** The role's one inline policy. */
export function inlinePolicy(
  name: string,
  role: aws.iam.Role,
  statements: Statement[],
  opts?: pulumi.CustomResourceOptions,
): aws.iam.RolePolicy {
  return new aws.iam.RolePolicy(name, { name, role: role.id, policy: policyDocument(statements) }, opts);
}

/** Writing to one log group's streams (the group exists: no CreateLogGroup). */
export function logWrites(logGroupArn: pulumi.Input<string>): Statement {
  return {
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: [pulumi.interpolate`${logGroupArn}:*`],
  };
}

/** X-Ray segment upload: X-Ray has no resource-level permissions, so `*` is required. */
export function xrayWrites(): Statement {
  return {
    Sid: "XRayTraces",
    Effect: "Allow",
    Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
    Resource: ["*"],
  };
}
