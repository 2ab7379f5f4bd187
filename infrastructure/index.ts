// rez-agent on AWS. `pulumi up --stack dev|prod` from this directory, after
// `make build` at the repository root has produced build/<function>.zip.
// The parts live in src/: config, names, rollout, storage, messaging,
// parameters, functions, workflow, schedule, api, alarms; src/stack.ts
// composes them.

import { readStackConfig } from "./src/config";
import { defineStack } from "./src/stack";

const outputs = defineStack(readStackConfig());

export const dynamodbTableName = outputs.dynamodbTableName;
export const snsTopicArn = outputs.snsTopicArn;
export const sqsQueueUrl = outputs.sqsQueueUrl;
export const dlqUrl = outputs.dlqUrl;
export const apiGatewayId = outputs.apiGatewayId;
export const apiGatewayEndpoint = outputs.apiGatewayEndpoint;
export const webapiUrl = outputs.webapiUrl;
export const stateMachineArn = outputs.stateMachineArn;
export const stateMachineConsoleUrl = outputs.stateMachineConsoleUrl;
export const executionLogGroupName = outputs.executionLogGroupName;
export const alarmNames = outputs.alarmNames;
export const customDomainTarget = outputs.customDomainTarget;
export const functionNames = outputs.functionNames;
export const apiKey = outputs.apiKey;
export const ntfyTopicUrl = outputs.ntfyTopicUrl;
