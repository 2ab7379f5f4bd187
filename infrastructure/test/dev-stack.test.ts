// The dev stack exactly as Pulumi.dev.yaml configures it, read through the
// same path `pulumi up` takes (pulumi.Config, secrets via getSecret), with
// both secrets set.

import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { readStackFile, runStack } from "./harness";
import { commonSuite } from "./common";
import { readStackConfig } from "../src/config";

const P = "rez-agent-infrastructure";
const file = readStackFile(path.join(__dirname, "..", "Pulumi.dev.yaml"));
pulumi.runtime.setAllConfig(
  { ...file, [`${P}:ntfyToken`]: "tk_devtoken", [`${P}:apiKey`]: "dev-api-key-0123456789" },
  [`${P}:ntfyToken`, `${P}:apiKey`],
);

commonSuite("dev stack (Pulumi.dev.yaml)", () => runStack(readStackConfig()), {
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
