//! ARNs and execution names, checked the way Step Functions checks them:
//! a malformed ARN or one of the wrong resource type is `InvalidArn`; a
//! well-formed one naming nothing here is `…DoesNotExist`.

use super::error::SfnError;
use crate::workflow::MachineIdentity;

/// Longest execution name (AWS: 1–80 characters).
pub(crate) const MAX_NAME_CHARS: usize = 80;
/// Characters AWS refuses in an execution name, besides whitespace and
/// control characters (StartExecution, "name").
const FORBIDDEN_NAME_CHARS: &str = "<>{}[]?*\"#%\\^|~`$&,;:/";

/// The resource type of a Step Functions ARN (`arn:aws:states:region:account:<type>:…`).
fn resource_type(arn: &str) -> Option<&str> {
    match arn.split(':').collect::<Vec<_>>()[..] {
        [
            "arn",
            partition,
            "states",
            _region,
            _account,
            kind,
            ref rest @ ..,
        ] if !partition.is_empty() && !rest.is_empty() && rest.iter().all(|p| !p.is_empty()) => {
            Some(kind)
        }
        _ => None,
    }
}

fn invalid(arn: &str, why: &str) -> SfnError {
    SfnError::InvalidArn(format!("Invalid Arn: '{why}: {arn}'"))
}

/// AWS's answer to an `express` execution ARN where only STANDARD
/// executions are served: the message names the resource type, not the ARN.
fn express_not_served() -> SfnError {
    SfnError::InvalidArn("Invalid Arn: 'Resource type not valid in this context: express'".into())
}

/// Checks a state machine ARN names the served state machine.
///
/// # Errors
/// [`SfnError::InvalidArn`] when it is not a state machine ARN;
/// [`SfnError::StateMachineDoesNotExist`] when it is another one.
pub(crate) fn check_state_machine(arn: &str, served: &MachineIdentity) -> Result<(), SfnError> {
    match resource_type(arn) {
        None => Err(invalid(arn, "Resource type not valid in this context")),
        Some("stateMachine") if arn == served.arn() => Ok(()),
        Some("stateMachine") => Err(SfnError::StateMachineDoesNotExist(format!(
            "State Machine Does Not Exist: '{arn}' (this endpoint runs only {})",
            served.arn()
        ))),
        Some(other) => Err(invalid(
            arn,
            &format!("Resource type not valid in this context: {other}"),
        )),
    }
}

/// Checks an execution ARN is well formed (`execution` or `express`);
/// `strict`, an `express` one is refused as AWS refuses it in
/// `DescribeExecution` and `GetExecutionHistory`.
///
/// # Errors
/// [`SfnError::InvalidArn`].
pub(crate) fn check_execution(arn: &str, strict: bool) -> Result<(), SfnError> {
    match resource_type(arn) {
        Some("execution") => Ok(()),
        Some("express") if !strict => Ok(()),
        Some("express") => Err(express_not_served()),
        Some(other) => Err(invalid(
            arn,
            &format!("Resource type not valid in this context: {other}"),
        )),
        None => Err(invalid(arn, "Resource type not valid in this context")),
    }
}

/// Checks a Map Run ARN is well formed.
///
/// # Errors
/// [`SfnError::InvalidArn`].
pub(crate) fn check_map_run(arn: &str) -> Result<(), SfnError> {
    match resource_type(arn) {
        Some("mapRun") => Ok(()),
        _ => Err(invalid(arn, "Resource type not valid in this context")),
    }
}

/// Checks an execution name: 1–80 characters, no whitespace, control or
/// reserved characters.
///
/// # Errors
/// [`SfnError::InvalidName`].
pub(crate) fn check_name(name: &str) -> Result<(), SfnError> {
    let count = name.chars().count();
    if count == 0 || count > MAX_NAME_CHARS {
        return Err(SfnError::InvalidName(format!(
            "Invalid Name: '{name}' (a name has 1 to {MAX_NAME_CHARS} characters)"
        )));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || FORBIDDEN_NAME_CHARS.contains(*c))
    {
        return Err(SfnError::InvalidName(format!(
            "Invalid Name: '{name}' (it contains {bad:?}; names may not contain whitespace, \
             control characters or any of {FORBIDDEN_NAME_CHARS})"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::{EXECUTION_ARN_PREFIX, STATE_MACHINE_ARN, STATE_MACHINE_NAME};

    fn local() -> MachineIdentity {
        MachineIdentity::local()
    }

    #[test]
    fn the_local_arns_name_the_local_state_machine() {
        assert!(STATE_MACHINE_ARN.ends_with(&format!(":stateMachine:{STATE_MACHINE_NAME}")));
        assert!(EXECUTION_ARN_PREFIX.ends_with(&format!(":express:{STATE_MACHINE_NAME}:")));
        assert_eq!(check_state_machine(STATE_MACHINE_ARN, &local()), Ok(()));
        assert_eq!(
            check_execution(&format!("{EXECUTION_ARN_PREFIX}run-1:0000"), false),
            Ok(())
        );
    }

    #[test]
    fn strict_refuses_express_executions_as_aws_does() {
        let express = format!("{EXECUTION_ARN_PREFIX}run-1:0000");
        assert_eq!(
            check_execution(&express, true),
            Err(SfnError::InvalidArn(
                "Invalid Arn: 'Resource type not valid in this context: express'".into()
            ))
        );
        assert!(check_execution("arn:aws:states:us-east-1:1:execution:m:e", true).is_ok());
    }

    #[test]
    fn state_machine_arns_are_invalid_or_missing_by_their_shape() {
        let cases = [
            ("not-an-arn", "InvalidArn"),
            ("arn:aws:sqs:us-east-1:1:queue", "InvalidArn"),
            (
                "arn:aws:states:local:000000000000:execution:m:e",
                "InvalidArn",
            ),
            (
                "arn:aws:states:local:000000000000:stateMachine:",
                "InvalidArn",
            ),
            (
                "arn:aws:states:local:000000000000:stateMachine:other",
                "StateMachineDoesNotExist",
            ),
        ];
        for (arn, expected) in cases {
            let error = check_state_machine(arn, &local())
                .err()
                .map(|e| e.type_name());
            assert!(
                error.as_deref().is_some_and(|t| t.ends_with(expected)),
                "{arn}: {error:?}"
            );
        }
    }

    #[test]
    fn execution_arns_must_be_executions() {
        assert!(check_execution("arn:aws:states:us-east-1:1:execution:m:e", false).is_ok());
        assert!(check_execution(STATE_MACHINE_ARN, false).is_err());
        for short in ["arn:aws:states:local", "arn", "", ":::::::"] {
            assert!(check_execution(short, false).is_err(), "{short}");
        }
    }

    #[test]
    fn names_follow_aws_rules() {
        for good in ["run-1", "a", "Ünïcode_ok.2", &"x".repeat(80)] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "has space",
            "a:b",
            "a/b",
            "tab\t",
            "{x}",
            &"x".repeat(81),
        ] {
            assert!(
                matches!(check_name(bad), Err(SfnError::InvalidName(_))),
                "{bad}"
            );
        }
    }
}
