// Values the stack generates when the configuration leaves them unset: the
// API key and the ntfy topic. Each comes from a `random` resource, so it is
// drawn once, kept in the stack's state, and stays the same on every later
// `pulumi up` (until the resource is removed, for instance by setting the
// config key, or its inputs change).

import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { RezConfig, resourceName } from "./config";
import { GENERATED_TOPIC_SUFFIX_LENGTH, generatedTopicName } from "./names";

/** Characters of a generated API key: letters and digits only, so it fits any HTTP header as it is. */
export const GENERATED_API_KEY_LENGTH = 48;

/** The ntfy server a generated topic lives on. */
export const GENERATED_TOPIC_SERVER = "https://ntfy.sh";

/** The API key the webapi checks: the configured `apiKey`, or one generated once for the stack. Secret. */
export function configuredOrGeneratedApiKey(cfg: RezConfig): pulumi.Output<string> {
  if (cfg.apiKey !== undefined) return pulumi.secret(cfg.apiKey);
  const key = new random.RandomPassword(resourceName(cfg, "generated-api-key"), {
    length: GENERATED_API_KEY_LENGTH,
    upper: true,
    lower: true,
    numeric: true,
    special: false,
    minUpper: 1,
    minLower: 1,
    minNumeric: 1,
  });
  return pulumi.secret(key.result);
}

/**
 * The ntfy topic URL the notifications go to: the configured `ntfyUrl`, or
 * `https://ntfy.sh/<namePrefix>-<stage>-<20 random letters and digits>`, generated
 * once for the stack. Secret, like the key: anyone who reads the URL can
 * read the notifications, and `pulumi up` prints plain outputs in CI logs.
 */
export function configuredOrGeneratedNtfyUrl(cfg: RezConfig): pulumi.Output<string> {
  if (cfg.ntfyUrl !== undefined) return pulumi.secret(cfg.ntfyUrl);
  const suffix = new random.RandomString(
    resourceName(cfg, "ntfy-topic"),
    { length: GENERATED_TOPIC_SUFFIX_LENGTH, upper: false, lower: true, numeric: true, special: false },
    // Encrypted in the state too, as a RandomPassword's result is.
    { additionalSecretOutputs: ["result"] },
  );
  return pulumi.secret(suffix.result.apply((s) => `${GENERATED_TOPIC_SERVER}/${generatedTopicName(cfg, s)}`));
}
