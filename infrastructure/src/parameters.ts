// SSM parameters: the ntfy URL (String), the API key (SecureString) and the
// ntfy token (SecureString, only when one is configured). The values come
// from the stack: the URL and the key are configured or generated
// (src/generated.ts), and secrets stay Pulumi secrets.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RezConfig, resourceName } from "./config";
import { parameterName } from "./names";

export interface Parameters {
  ntfyUrl: aws.ssm.Parameter;
  ntfyToken?: aws.ssm.Parameter;
  apiKey: aws.ssm.Parameter;
}

/** What the parameters hold. */
export interface ParameterValues {
  ntfyUrl: pulumi.Input<string>;
  /** Unset: no token parameter (a public topic needs none). */
  ntfyToken?: pulumi.Input<string>;
  apiKey: pulumi.Input<string>;
}

/** Declares the parameters, named `/<namePrefix>/<stage>/<key>` (src/names.ts). */
export function createParameters(cfg: RezConfig, values: ParameterValues): Parameters {
  const param = (key: string, type: "String" | "SecureString", value: pulumi.Input<string>, description: string) => {
    const name = parameterName(cfg, key);
    return new aws.ssm.Parameter(resourceName(cfg, key), {
      name,
      type,
      value: type === "SecureString" ? pulumi.secret(value) : value,
      keyId: type === "SecureString" ? cfg.parameterKmsKeyArn : undefined,
      description,
      tags: cfg.tags,
    });
  };
  return {
    ntfyUrl: param("ntfy-url", "String", values.ntfyUrl, "The ntfy topic URL rez-agent delivers to"),
    ntfyToken:
      values.ntfyToken === undefined
        ? undefined
        : param("ntfy-token", "SecureString", values.ntfyToken, "The ntfy access token"),
    apiKey: param("api-key", "SecureString", values.apiKey, "The rez-agent HTTP API key"),
  };
}
