// The message table: one per stage, keyed by id and created_date, with the two
// GSIs the API lists through (never a Scan) and TTL expiry. It holds every
// message, so no deploy may replace or delete it, in any stage.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RezConfig, resourceName } from "./config";

export const STAGE_INDEX = "stage-created_date-index";
export const STATUS_INDEX = "status-created_date-index";

export interface Storage {
  table: aws.dynamodb.Table;
  /** The ARNs of the table's GSIs, for Query permissions. */
  indexArns: pulumi.Output<string>[];
}

/**
 * The options that keep a deploy from replacing or deleting the table, in
 * every stage:
 * - `protect`: Pulumi refuses to delete it, or to replace it once the state
 *   records it as protected (`pulumi destroy` too, until `pulumi state
 *   unprotect`);
 * - `retainOnDelete`: should it ever leave the stack, it stays in AWS;
 * - `deleteBeforeReplace: false`: a replacement would create the new table
 *   first, which fails because its name is taken, so nothing is deleted even
 *   on a first `pulumi up` over a state that does not protect the table yet
 *   (a table of an earlier version under the same name and other keys).
 */
export const TABLE_OPTIONS: Readonly<Pick<pulumi.CustomResourceOptions, "protect" | "retainOnDelete" | "deleteBeforeReplace">> = {
  protect: true,
  retainOnDelete: true,
  deleteBeforeReplace: false,
};

export function createStorage(cfg: RezConfig): Storage {
  const name = resourceName(cfg, "messages");
  const prod = cfg.stage === "prod";
  const table = new aws.dynamodb.Table(name, {
    name,
    billingMode: "PAY_PER_REQUEST",
    hashKey: "id",
    rangeKey: "created_date",
    attributes: [
      { name: "id", type: "S" },
      { name: "created_date", type: "S" },
      { name: "stage", type: "S" },
      { name: "status", type: "S" },
    ],
    globalSecondaryIndexes: [
      { name: STAGE_INDEX, hashKey: "stage", rangeKey: "created_date", projectionType: "ALL" },
      { name: STATUS_INDEX, hashKey: "status", rangeKey: "created_date", projectionType: "ALL" },
    ],
    ttl: { attributeName: "ttl", enabled: true },
    pointInTimeRecovery: { enabled: prod },
    serverSideEncryption: { enabled: true },
    deletionProtectionEnabled: prod,
    tags: cfg.tags,
  }, { ...TABLE_OPTIONS });
  const indexArns = [STAGE_INDEX, STATUS_INDEX].map((index) => pulumi.interpolate`${table.arn}/index/${index}`);
  return { table, indexArns };
}
