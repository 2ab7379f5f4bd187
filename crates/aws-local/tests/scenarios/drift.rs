//! A drift between the program and the Rust code fails at start, naming it.

use rez_aws_local::AwsLocalError;

use crate::support::start_from;

#[tokio::test]
#[ignore = "needs build/*.zip, the declarations and rez-agent: scripts/test-aws-local.sh"]
async fn a_renamed_environment_variable_fails_the_functions_init_naming_it() {
    // REZ_AWS_LOCAL_DRIFT_DECLARED: the program's REZ_TABLE_NAME renamed
    // REZ_TABLE under the mocks (declare.ts --rename-env).
    match start_from("REZ_AWS_LOCAL_DRIFT_DECLARED").await {
        Ok(local) => {
            local.shutdown().await;
            panic!("the harness started although no function has REZ_TABLE_NAME");
        }
        Err(AwsLocalError::InitFailed {
            function,
            error_type,
            message,
        }) => {
            assert!(function.starts_with("rez-agent-"), "{function}");
            assert_eq!(error_type, "Runtime.InitError");
            assert!(message.contains("REZ_TABLE_NAME"), "{message}");
        }
        Err(other) => panic!("expected an init error, got {other}"),
    }
}
