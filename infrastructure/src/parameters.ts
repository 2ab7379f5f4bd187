// SSM parameters: the ntfy URL (String), the API key (SecureString) and the
// ntfy token (SecureString, only when one is configured). The values come
// from the stack: the URL and the key are configured or generated
// (src/generated.ts), and secrets stay Pulumi secrets.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RezConfig } from "./config";

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

/** `/rez-agent/<stage>/<key>` */
export function parameterName(cfg: Pick<RezConfig, "stage">, key: string): string {
  return `/rez-agent/${cfg.stage}/${key}`;
}

export function createParameters(cfg: RezConfig, values: ParameterValues): Parameters {
  const param = (key: string, type: "String" | "SecureString", value: pulumi.Input<string>, description: string) => {
    const name = parameterName(cfg, key);
    return new aws.ssm.Parameter(`rez-agent-${key}-${cfg.stage}`, {
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
