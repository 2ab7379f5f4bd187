// The prod stack from Pulumi.prod.yaml plus every optional feature: arm64,
// an alarm email, a custom domain, a customer-managed key for the secrets.

import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { readStackFile, runStack } from "./harness";
import { commonSuite } from "./common";
import { readStackConfig } from "../src/config";

const P = "rez-agent-infrastructure";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
const file = readStackFile(path.join(__dirname, "..", "Pulumi.prod.yaml"));
pulumi.runtime.setAllConfig(
  {
    ...file,
    [`${P}:architecture`]: "arm64",
    [`${P}:alarmEmail`]: "oncall@example.com",
    [`${P}:apiDomain`]: "api.example.com",
    [`${P}:certificateArn`]: CERT,
    [`${P}:parameterKmsKeyArn`]: KEY,
    [`${P}:ntfyToken`]: "tk_prodtoken",
    [`${P}:apiKey`]: "prod-api-key-0123456789",
  },
  [`${P}:ntfyToken`, `${P}:apiKey`],
);

commonSuite("prod stack (Pulumi.prod.yaml + arm64, alarm email, custom domain, KMS key)", () => runStack(readStackConfig()), {
  stage: "prod",
  region: "us-east-1",
  architecture: "arm64",
  logRetentionDays: 30,
  enableXRay: true,
  schedulerCron: "cron(0 12 * * ? *)",
  ntfyUrl: "https://ntfy.sh/rez-agent",
  ntfyToken: "tk_prodtoken",
  apiKey: "prod-api-key-0123456789",
  parameterKmsKeyArn: KEY,
  alarmEmail: "oncall@example.com",
  apiDomain: "api.example.com",
  certificateArn: CERT,
});
