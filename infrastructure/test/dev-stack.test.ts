// The dev stack exactly as Pulumi.dev.yaml configures it, read through the
// same path `pulumi up` takes (pulumi.Config): no secrets, no ntfyUrl and no
// corsOrigins, so the stack generates its API key and its ntfy topic, as on
// a first deploy.

import { runStack, stackConfig } from "./harness";
import { commonSuite } from "./common";

commonSuite("dev stack (Pulumi.dev.yaml as committed: generated API key and topic)", () => runStack(stackConfig("dev")), {
  stage: "dev",
  region: "us-east-1",
  architecture: "x86_64",
  logRetentionDays: 7,
  enableXRay: false,
  schedulerCron: "cron(0 12 * * ? *)",
  logLevel: "INFO",
});
