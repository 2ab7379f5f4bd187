// The smallest configuration: stage "stage", a configured ntfy URL on another
// server, no secrets (so a generated API key), no X-Ray, no CORS, a custom
// cron, the 1-day retention, DEBUG logs. Optional parameters and grants must be absent.

import { runStack } from "./harness";
import { commonSuite } from "./common";

commonSuite(
  "minimal stack (configured ntfy URL, generated API key, no X-Ray)",
  () =>
    runStack({
      region: "us-east-1",
      stage: "stage",
      ntfyUrl: "https://ntfy.example.org/alerts",
      logRetentionDays: "1",
      enableXRay: "false",
      schedulerCron: "cron(30 6 ? * MON-FRI *)",
      logLevel: "DEBUG",
    }),
  {
    stage: "stage",
    region: "us-east-1",
    architecture: "x86_64",
    logRetentionDays: 1,
    enableXRay: false,
    schedulerCron: "cron(30 6 ? * MON-FRI *)",
    logLevel: "DEBUG",
    ntfyUrl: "https://ntfy.example.org/alerts",
  },
);
