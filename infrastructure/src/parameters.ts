// SSM parameters: the ntfy URL (String) and the two secrets (SecureString),
// whose values come from Pulumi secrets. An unset secret gets no parameter.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RezConfig } from "./config";

export interface Parameters {
  ntfyUrl: aws.ssm.Parameter;
  ntfyToken?: aws.ssm.Parameter;
  apiKey?: aws.ssm.Parameter;
}

/** `/rez-agent/<stage>/<key>` */
export function parameterName(cfg: Pick<RezConfig, "stage">, key: string): string {
  return `/rez-agent/${cfg.stage}/${key}`;
}

export function createParameters(cfg: RezConfig): Parameters {
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
    ntfyUrl: param("ntfy-url", "String", cfg.ntfyUrl, "The ntfy topic URL rez-agent delivers to"),
    ntfyToken:
      cfg.ntfyToken === undefined
        ? undefined
        : param("ntfy-token", "SecureString", cfg.ntfyToken, "The ntfy access token"),
    apiKey:
      cfg.apiKey === undefined ? undefined : param("api-key", "SecureString", cfg.apiKey, "The rez-agent HTTP API key"),
  };
}
