// The message table: one per stage, keyed by id and created_date, with the two
// GSIs the API lists through (never a Scan) and TTL expiry.

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
  }, { protect: prod });
  const indexArns = [STAGE_INDEX, STATUS_INDEX].map((index) => pulumi.interpolate`${table.arn}/index/${index}`);
  return { table, indexArns };
}
