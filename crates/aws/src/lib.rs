//! The AWS adapters of the rez-agent ports: DynamoDB, SNS, Step Functions, SSM.
