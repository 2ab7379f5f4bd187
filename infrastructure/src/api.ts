// The HTTP API: one `$default` route proxying everything to the webapi
// function's `live` alias (the axum router does the routing), an auto-deployed
// `$default` stage with access logs, CORS when `corsOrigins` is set, and an
// optional custom domain.

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RezConfig, resourceName } from "./config";
import { LIVE_ALIAS, RezFunction } from "./functions";

/** One JSON line per request in the access log. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  sourceIp: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  routeKey: "$context.routeKey",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  integrationError: "$context.integrationErrorMessage",
  latencyMs: "$context.responseLatency",
});

/** What a browser page may send cross-origin: the API's methods and preflights. */
export const CORS_ALLOW_METHODS = ["GET", "POST", "PUT", "DELETE", "OPTIONS"];
/** Request headers a page may set: the API key, a JSON body, an idempotent create. */
export const CORS_ALLOW_HEADERS = ["authorization", "content-type", "idempotency-key"];
/**
 * Response headers a page may read. API Gateway answers CORS itself and drops
 * the webapi's own CORS headers, so these are the ones the webapi exposes:
 * where a created message is, whether a create was replayed, the request id.
 */
export const CORS_EXPOSE_HEADERS = ["location", "idempotent-replayed", "x-request-id"];
/** How long a browser may cache a preflight's answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 600;

/** The API's CORS settings for `origins` (`*` or exact origins); undefined when none is allowed. */
export function corsConfiguration(origins: string[]): aws.types.input.apigatewayv2.ApiCorsConfiguration | undefined {
  if (origins.length === 0) return undefined;
  return {
    allowOrigins: origins,
    allowMethods: CORS_ALLOW_METHODS,
    allowHeaders: CORS_ALLOW_HEADERS,
    exposeHeaders: CORS_EXPOSE_HEADERS,
    maxAge: CORS_MAX_AGE_SECONDS,
  };
}

export interface Api {
  api: aws.apigatewayv2.Api;
  stage: aws.apigatewayv2.Stage;
  integration: aws.apigatewayv2.Integration;
  route: aws.apigatewayv2.Route;
  permission: aws.lambda.Permission;
  logGroup: aws.cloudwatch.LogGroup;
  domain?: aws.apigatewayv2.DomainName;
  mapping?: aws.apigatewayv2.ApiMapping;
  /** The URL clients use: the custom domain when there is one. */
  url: pulumi.Output<string>;
}

export function createApi(cfg: RezConfig, webapi: RezFunction): Api {
  const name = resourceName(cfg, "api");
  const api = new aws.apigatewayv2.Api(name, {
    name,
    protocolType: "HTTP",
    description: `rez-agent HTTP API (${cfg.stage})`,
    corsConfiguration: corsConfiguration(cfg.corsOrigins),
    tags: cfg.tags,
  });

  const integration = new aws.apigatewayv2.Integration(`${name}-webapi`, {
    apiId: api.id,
    integrationType: "AWS_PROXY",
    integrationMethod: "POST",
    integrationUri: webapi.alias.invokeArn,
    payloadFormatVersion: "2.0",
  });

  const route = new aws.apigatewayv2.Route(`${name}-default-route`, {
    apiId: api.id,
    routeKey: "$default",
    target: pulumi.interpolate`integrations/${integration.id}`,
  });

  const logGroup = new aws.cloudwatch.LogGroup(`${name}-access-logs`, {
    name: `/aws/apigateway/${name}`,
    retentionInDays: cfg.logRetentionDays,
    tags: cfg.tags,
  });

  const stage = new aws.apigatewayv2.Stage(`${name}-default-stage`, {
    apiId: api.id,
    name: "$default",
    autoDeploy: true,
    accessLogSettings: { destinationArn: logGroup.arn, format: ACCESS_LOG_FORMAT },
    // No per-route metrics: CloudWatch bills them as custom metrics; the
    // API-wide Count, 4xx, 5xx and latencies are AWS's own, free.
    defaultRouteSettings: { throttlingBurstLimit: 100, throttlingRateLimit: 50, detailedMetricsEnabled: false },
    tags: cfg.tags,
  }, { dependsOn: [route] });

  const permission = new aws.lambda.Permission(`${name}-invoke-webapi`, {
    action: "lambda:InvokeFunction",
    function: webapi.fn.name,
    qualifier: LIVE_ALIAS,
    principal: "apigateway.amazonaws.com",
    sourceArn: pulumi.interpolate`${api.executionArn}/*/*`,
  }, { dependsOn: [webapi.alias] });

  let domain: aws.apigatewayv2.DomainName | undefined;
  let mapping: aws.apigatewayv2.ApiMapping | undefined;
  let url: pulumi.Output<string> = api.apiEndpoint;
  if (cfg.customDomain) {
    domain = new aws.apigatewayv2.DomainName(`${name}-domain`, {
      domainName: cfg.customDomain.domainName,
      domainNameConfiguration: {
        certificateArn: cfg.customDomain.certificateArn,
        endpointType: "REGIONAL",
        securityPolicy: "TLS_1_2",
      },
      tags: cfg.tags,
    });
    mapping = new aws.apigatewayv2.ApiMapping(`${name}-mapping`, {
      apiId: api.id,
      domainName: domain.domainName,
      stage: stage.name,
    });
    url = pulumi.interpolate`https://${domain.domainName}`;
  }

  return { api, stage, integration, route, permission, logGroup, domain, mapping, url };
}
