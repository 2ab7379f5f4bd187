//! The Task resources a Lambda Invoke API can run: a Lambda function ARN,
//! or the optimised integration `arn:aws:states:::lambda:invoke`.

use rez_states::StateMachine;

use crate::workflow::UnsupportedResource;

/// The optimised Lambda integration: `Parameters.FunctionName` and
/// `Parameters.Payload` name the call, and the result is the Invoke answer.
pub const LAMBDA_INVOKE_INTEGRATION: &str = "arn:aws:states:::lambda:invoke";

/// What the resources this runtime runs look like, for error messages.
pub const SUPPORTED: &str = "Lambda function ARNs \
     (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]) and arn:aws:states:::lambda:invoke";

/// How a Task state calls Lambda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LambdaTarget<'a> {
    /// `Resource` is the function's ARN: the effective input is the payload,
    /// the function's answer is the result.
    Function(&'a str),
    /// `Resource` is [`LAMBDA_INVOKE_INTEGRATION`].
    Invoke,
}

impl<'a> LambdaTarget<'a> {
    /// The target a Task `Resource` names, if Lambda can serve it.
    pub fn parse(resource: &'a str) -> Option<Self> {
        if resource == LAMBDA_INVOKE_INTEGRATION {
            return Some(LambdaTarget::Invoke);
        }
        is_function_arn(resource).then_some(LambdaTarget::Function(resource))
    }
}

/// `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`, every part non-empty.
fn is_function_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.split(':').collect();
    matches!(
        parts[..],
        ["arn", _, "lambda", _, _, "function", _] | ["arn", _, "lambda", _, _, "function", _, _]
    ) && parts.iter().all(|p| !p.is_empty())
}

/// Checks every Task of `machine` is one [`LambdaTarget::parse`] accepts.
///
/// # Errors
/// [`UnsupportedResource`] naming the first that is not.
pub fn check(machine: &StateMachine) -> Result<(), UnsupportedResource> {
    match machine
        .task_resources()
        .into_iter()
        .find(|r| LambdaTarget::parse(r).is_none())
    {
        Some(other) => Err(UnsupportedResource {
            resource: other.to_owned(),
            supported: SUPPORTED.to_owned(),
        }),
        None => Ok(()),
    }
}

/// A path segment percent-encoded as the AWS SDKs encode a URI label:
/// every byte but the unreserved characters (`A-Z a-z 0-9 - . _ ~`).
pub fn encode_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_arns_with_or_without_a_qualifier_and_the_integration_are_lambda() {
        let alias =
            "arn:aws:lambda:us-east-1:123456789012:function:rez-agent-load-message-dev:live";
        assert_eq!(
            LambdaTarget::parse(alias),
            Some(LambdaTarget::Function(alias))
        );
        let bare = "arn:aws:lambda:us-east-1:123456789012:function:f";
        assert_eq!(
            LambdaTarget::parse(bare),
            Some(LambdaTarget::Function(bare))
        );
        assert_eq!(
            LambdaTarget::parse(LAMBDA_INVOKE_INTEGRATION),
            Some(LambdaTarget::Invoke)
        );
        for other in [
            "${LoadMessageFunctionArn}",
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "arn:aws:states:::sqs:sendMessage",
            "arn:aws:lambda:us-east-1:1:function:",
            "arn:aws:lambda:us-east-1:1:layer:l:1",
            "arn:aws:lambda:us-east-1:1:function:f:live:extra",
        ] {
            assert_eq!(LambdaTarget::parse(other), None, "{other}");
        }
    }

    #[test]
    fn labels_are_encoded_as_the_sdk_encodes_them() {
        assert_eq!(
            encode_label("arn:aws:lambda:us-east-1:1:function:f-1_x.y:live"),
            "arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af-1_x.y%3Alive"
        );
        assert_eq!(encode_label("a b/$"), "a%20b%2F%24");
    }
}
