//! Flags of `rez-agent statemachine …` and `rez-agent stepfunctions`.

use clap::Subcommand;
use std::net::SocketAddr;
use std::path::PathBuf;

use super::{either, secret_file};
use rez_local::config::Secret;
/// `rez-agent statemachine …`.
#[derive(Debug, Subcommand)]
pub enum StatemachineCommand {
    /// Check definitions like AWS ValidateStateMachineDefinition: every problem, one per line.
    Validate {
        /// Definition files (ASL JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run test cases in the conformance corpus schema; ends with "N passed, M failed".
    Test {
        /// Case files, or directories searched for *.json.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Run a definition once and print status, output or error, and the history.
    Run(RunArgs),
    /// Draw a definition as Graphviz DOT or as a standalone SVG.
    Graph(GraphArgs),
}

/// Flags of `rez-agent statemachine graph`.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The definition file (ASL JSON).
    pub file: PathBuf,
    /// The drawing's format [default: svg when --output ends in .svg, else dot].
    #[arg(long, value_enum)]
    pub format: Option<crate::commands::statemachine::graph::GraphFormat>,
    /// Write the drawing to this file instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Flags of `rez-agent statemachine run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The definition file (ASL JSON).
    pub file: PathBuf,
    /// The execution input, as JSON.
    #[arg(long, default_value = "{}")]
    pub input: String,
    /// An AWS Step Functions Local mock configuration file (MockConfigFile.json).
    #[arg(long, requires = "test_case")]
    pub mock_config: Option<PathBuf>,
    /// The test case of the mock configuration whose mocked responses answer the Task states.
    #[arg(long, requires = "mock_config")]
    pub test_case: Option<String>,
    /// The state machine's name in the mock configuration [default: the file name without .asl.json].
    #[arg(long)]
    pub state_machine: Option<String>,
    /// Multiplies every wait (Wait states, retry intervals); 0 never waits.
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
}

/// Flags of `rez-agent stepfunctions`.
#[derive(Debug, clap::Args)]
pub struct StepFunctionsArgs {
    /// The state machine definition (ASL JSON), validated as `statemachine
    /// validate` does. Every Task Resource must be a Lambda function ARN
    /// (arn:aws:lambda:REGION:ACCOUNT:function:NAME, with or without a
    /// :QUALIFIER such as :live) or arn:aws:states:::lambda:invoke.
    #[arg(long, value_name = "FILE")]
    pub definition: PathBuf,
    /// Base URL of the Lambda Invoke API the Task states call
    /// (POST URL/2015-03-31/functions/FUNCTION/invocations).
    #[arg(long, value_name = "URL")]
    pub lambda_endpoint: url::Url,
    /// The state machine's ARN: the one StartSyncExecution and the other
    /// calls accept, whose region and account the execution ARNs carry
    /// [default: arn:aws:states:us-east-1:123456789012:stateMachine:STEM,
    /// STEM being the definition's file name up to its first dot].
    #[arg(long, value_name = "ARN")]
    pub state_machine_arn: Option<String>,
    /// Address of the Step Functions API (port 0: any free port).
    #[arg(long, default_value = rez_local::stepfunctions::DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Directory for the SQLite database of executions (kept, and locked
    /// against a second process) [default: a temporary directory removed at exit].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Answer as AWS does for EXPRESS state machines: ListExecutions is
    /// StateMachineTypeNotSupported, and DescribeExecution and
    /// GetExecutionHistory of an express execution are InvalidArn.
    /// Without it they answer from the recorded executions.
    #[arg(long)]
    pub strict: bool,
    /// The secret access key every call must be signed with (AWS SigV4);
    /// without one any credentials do, on loopback only. Visible in `ps`:
    /// prefer --api-key-file.
    #[arg(long)]
    pub api_key: Option<Secret>,
    /// A file whose first line is the secret access key.
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with = "api_key",
        value_parser = secret_file
    )]
    pub api_key_file: Option<Secret>,
}

impl StepFunctionsArgs {
    /// The configuration these flags describe.
    pub fn into_config(self) -> rez_local::stepfunctions::StepFunctionsConfig {
        rez_local::stepfunctions::StepFunctionsConfig {
            definition: self.definition,
            lambda_endpoint: self.lambda_endpoint,
            state_machine_arn: self.state_machine_arn,
            listen: self.listen,
            data_dir: self.data_dir,
            strict: self.strict,
            api_key: either(self.api_key, self.api_key_file),
        }
    }
}
