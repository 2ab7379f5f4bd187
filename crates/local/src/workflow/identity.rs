//! Who a served state machine is: its name, its ARN, the ARN prefix of its
//! executions and the role they run as, all derived from the ARN as AWS
//! forms them.

/// The identity of the one state machine a [`LocalWorkflow`](super::LocalWorkflow) runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineIdentity {
    name: String,
    arn: String,
    execution_arn_prefix: String,
    role_arn: String,
}

/// A state machine ARN that is not `arn:PARTITION:states:REGION:ACCOUNT:stateMachine:NAME`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0} is not a state machine ARN (expected arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)"
)]
pub struct InvalidMachineArn(pub String);

impl MachineIdentity {
    /// The identity a state machine ARN names: Express executions are
    /// `arn:PARTITION:states:REGION:ACCOUNT:express:NAME:EXECUTION:UUID`, and
    /// executions run as `arn:PARTITION:iam::ACCOUNT:role/<role_name>`.
    ///
    /// # Errors
    /// [`InvalidMachineArn`] when `arn` is not a state machine ARN.
    pub fn from_arn(arn: &str, role_name: &str) -> Result<Self, InvalidMachineArn> {
        let parts: Vec<&str> = arn.split(':').collect();
        match parts[..] {
            [
                "arn",
                partition,
                "states",
                region,
                account,
                "stateMachine",
                name,
            ] if [partition, region, account, name]
                .iter()
                .all(|p| !p.is_empty()) =>
            {
                Ok(MachineIdentity {
                    name: name.to_owned(),
                    arn: arn.to_owned(),
                    execution_arn_prefix: format!(
                        "arn:{partition}:states:{region}:{account}:express:{name}:"
                    ),
                    role_arn: format!("arn:{partition}:iam::{account}:role/{role_name}"),
                })
            }
            _ => Err(InvalidMachineArn(arn.to_owned())),
        }
    }

    /// The state machine's name (the ARN's last part).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The state machine's ARN (`$$.StateMachine.Id`).
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// What each execution ARN starts with: `<prefix><name>:<uuid>`.
    pub fn execution_arn_prefix(&self) -> &str {
        &self.execution_arn_prefix
    }

    /// The role executions run as (`$$.Execution.RoleArn`).
    pub fn role_arn(&self) -> &str {
        &self.role_arn
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identity_follows_the_arn() {
        let id = MachineIdentity::from_arn(
            "arn:aws:states:us-east-1:123456789012:stateMachine:rez-agent-notification-dev",
            "rez-agent-local",
        );
        assert_eq!(
            id.as_ref().map(MachineIdentity::execution_arn_prefix),
            Ok("arn:aws:states:us-east-1:123456789012:express:rez-agent-notification-dev:")
        );
        assert_eq!(
            id.as_ref().map(MachineIdentity::name),
            Ok("rez-agent-notification-dev")
        );
        assert_eq!(
            id.as_ref().map(MachineIdentity::role_arn),
            Ok("arn:aws:iam::123456789012:role/rez-agent-local")
        );
    }

    #[test]
    fn anything_but_a_state_machine_arn_is_refused() {
        for bad in [
            "",
            "rez",
            "arn:aws:states:us-east-1:1:execution:m:e",
            "arn:aws:states:us-east-1:1:stateMachine:",
            "arn:aws:states:us-east-1:1:stateMachine:m:alias",
            "arn:aws:lambda:us-east-1:1:function:f",
        ] {
            assert!(MachineIdentity::from_arn(bad, "r").is_err(), "{bad}");
        }
    }
}
