// The prod stack from Pulumi.prod.yaml plus every optional feature: arm64, X-Ray,
// an alarm email, a custom domain, a customer-managed key for the secrets, a
// configured API key and ntfy token (the topic stays generated), and CORS for
// two origins, written the way people type them.

import { PROJECT as P, runStack, stackConfig } from "./harness";
import { commonSuite } from "./common";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
const extra = {
  [`${P}:architecture`]: "arm64",
  [`${P}:enableXRay`]: "true",
  [`${P}:alarmEmail`]: "oncall@example.com",
  [`${P}:apiDomain`]: "api.example.com",
  [`${P}:certificateArn`]: CERT,
  [`${P}:parameterKmsKeyArn`]: KEY,
  [`${P}:ntfyToken`]: "tk_prodtoken",
  [`${P}:apiKey`]: "prod-api-key-0123456789abcdefghijklmnop",
  [`${P}:corsOrigins`]: "https://Console.Example.com/, http://localhost:5173",
};
const SECRETS = [`${P}:ntfyToken`, `${P}:apiKey`];

commonSuite("prod stack (Pulumi.prod.yaml + arm64, alarm email, custom domain, KMS key, API key, CORS)", () => runStack(stackConfig("prod", extra, SECRETS)), {
  stage: "prod",
  region: "us-east-1",
  architecture: "arm64",
  logRetentionDays: 30,
  enableXRay: true,
  schedulerCron: "cron(0 12 * * ? *)",
  logLevel: "INFO",
  ntfyToken: "tk_prodtoken",
  apiKey: "prod-api-key-0123456789abcdefghijklmnop",
  corsOrigins: ["https://console.example.com", "http://localhost:5173"],
  parameterKmsKeyArn: KEY,
  alarmEmail: "oncall@example.com",
  apiDomain: "api.example.com",
  certificateArn: CERT,
});
