// The dev stack exactly as Pulumi.dev.yaml configures it, read through the
// same path `pulumi up` takes (pulumi.Config, secrets via getSecret), with
// both secrets set.

import { PROJECT as P, runStack, stackConfig } from "./harness";
import { commonSuite } from "./common";

const SECRETS = [`${P}:ntfyToken`, `${P}:apiKey`];
const extra = { [`${P}:ntfyToken`]: "tk_devtoken", [`${P}:apiKey`]: "dev-api-key-0123456789" };

commonSuite("dev stack (Pulumi.dev.yaml)", () => runStack(stackConfig("dev", extra, SECRETS)), {
  stage: "dev",
  region: "us-east-1",
  architecture: "x86_64",
  logRetentionDays: 7,
  enableXRay: true,
  schedulerCron: "cron(0 12 * * ? *)",
  ntfyUrl: "https://ntfy.sh/rez-agent-dev",
  ntfyToken: "tk_devtoken",
  apiKey: "dev-api-key-0123456789",
});
