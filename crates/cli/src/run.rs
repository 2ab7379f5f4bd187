//! Running a parsed command: each subcommand's flags become the request of
//! its command in [`crate::commands`], printed to stdout.

use std::time::Duration;

use crate::args::{
    Cli, Command, DlqCommand, ExecutionsArgs, MessagesArgs, SchedulesCommand, SendArgs,
    StatemachineCommand,
};
use crate::client::{ExecutionFilter, MessageFilter};
/// Parses the command line and runs the command.
///
/// # Errors
/// Whatever the command failed with; `main` prints it on one line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Up(args) => {
            let config = args.into_config()?;
            if config.api_key.is_none() {
                tracing::warn!(
                    "no API key: the API is open to anyone who can reach {}",
                    config.listen
                );
            }
            rez_local::stack::up(config).await
        }
        Command::Statemachine(command) => statemachine(command).await,
        Command::Stepfunctions(args) => rez_local::stepfunctions::serve(args.into_config()).await,
        Command::Send(args) => send(args).await,
        Command::Messages(args) => messages(args).await,
        Command::Executions(args) => executions(args).await,
        Command::Dlq(command) => dlq(command).await,
        Command::Schedules(command) => schedules(command).await,
    }
}

async fn schedules(command: SchedulesCommand) -> anyhow::Result<()> {
    use crate::commands::schedules;
    let mut stdout = std::io::stdout().lock();
    match command {
        SchedulesCommand::List { limit, cursor, api } => {
            let (client, view) = api.connect()?;
            schedules::list(&client, limit, cursor.as_deref(), &mut stdout, view).await
        }
        SchedulesCommand::Add(args) => {
            let (client, view) = args.api.connect()?;
            let request = rez_core::schedule::CreateScheduleRequest {
                name: Some(args.name),
                expression: Some(args.expression),
                timezone: args.timezone,
                start_date: args.start,
                end_date: args.end,
                notification: Some(args.notification.request(args.text)),
                state: args
                    .paused
                    .then_some(rez_core::schedule::ScheduleState::Disabled),
            };
            schedules::add(&client, &request, &mut stdout, view).await
        }
        SchedulesCommand::Show { id, api } => {
            let (client, view) = api.connect()?;
            schedules::show(&client, &id, &mut stdout, view).await
        }
        SchedulesCommand::Pause { id, api } => {
            let (client, view) = api.connect()?;
            schedules::set_enabled(&client, &id, false, &mut stdout, view).await
        }
        SchedulesCommand::Resume { id, api } => {
            let (client, view) = api.connect()?;
            schedules::set_enabled(&client, &id, true, &mut stdout, view).await
        }
        SchedulesCommand::Rm { id, api } => {
            let (client, view) = api.connect()?;
            schedules::remove(&client, &id, &mut stdout, view).await
        }
    }
}

async fn send(args: SendArgs) -> anyhow::Result<()> {
    let (client, view) = args.api.connect()?;
    let request = crate::commands::send::SendRequest {
        message: rez_core::CreateMessageRequest {
            created_by: Some("cli".to_owned()),
            ..args.notification.request(args.text)
        },
        idempotency_key: args.idempotency_key,
        wait: args.wait,
        timeout: Duration::from_secs_f64(args.timeout),
    };
    let mut stdout = std::io::stdout().lock();
    crate::commands::send::send(&client, &request, &mut stdout, view).await
}

async fn messages(args: MessagesArgs) -> anyhow::Result<()> {
    use crate::commands::messages;
    let (client, view) = args.api.connect()?;
    let mut stdout = std::io::stdout().lock();
    match args.id {
        Some(id) => messages::show(&client, &id, &mut stdout, view).await,
        None => {
            let filter = MessageFilter {
                status: args.status.map(|s| s.to_string()),
                stage: args.stage.map(|s| s.to_string()),
                limit: args.limit,
                cursor: args.cursor,
            };
            messages::list(&client, &filter, &mut stdout, view).await
        }
    }
}

async fn executions(args: ExecutionsArgs) -> anyhow::Result<()> {
    use crate::commands::executions;
    let (client, view) = args.api.connect()?;
    let mut stdout = std::io::stdout().lock();
    match args.id {
        Some(id) => executions::show(&client, &id, &mut stdout, view).await,
        None => {
            let filter = ExecutionFilter {
                status: args.status,
                message_id: args.message_id.map(|m| m.to_string()),
                limit: args.limit,
                cursor: args.cursor,
            };
            executions::list(&client, &filter, &mut stdout, view).await
        }
    }
}

async fn dlq(command: DlqCommand) -> anyhow::Result<()> {
    use crate::commands::dlq;
    let mut stdout = std::io::stdout().lock();
    match command {
        DlqCommand::List { api } => {
            let (client, view) = api.connect()?;
            dlq::list(&client, &mut stdout, view).await
        }
        DlqCommand::Redrive { ids, api } => {
            let (client, view) = api.connect()?;
            dlq::redrive(&client, &ids, &mut stdout, view).await
        }
    }
}

async fn statemachine(command: StatemachineCommand) -> anyhow::Result<()> {
    use crate::commands::statemachine;
    let mut stdout = std::io::stdout().lock();
    match command {
        StatemachineCommand::Validate { files } => {
            statemachine::validate::validate(&files, &mut stdout)
        }
        StatemachineCommand::Test { paths } => statemachine::test::test(&paths, &mut stdout).await,
        StatemachineCommand::Run(args) => {
            let request = statemachine::run::RunRequest {
                file: args.file,
                input: args.input,
                mock_config: args.mock_config,
                test_case: args.test_case,
                state_machine: args.state_machine,
                time_scale: args.time_scale,
            };
            statemachine::run::run(&request, &mut stdout).await
        }
        StatemachineCommand::Graph(args) => {
            let request = statemachine::graph::GraphRequest {
                file: args.file,
                format: args.format,
                output: args.output,
            };
            statemachine::graph::graph(&request, &mut stdout)
        }
    }
}
