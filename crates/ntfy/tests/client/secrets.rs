//! The access token never shows up in Debug output or error messages.

use rez_ntfy::{AccessToken, NtfyClient, NtfyConfig};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

#[tokio::test]
async fn the_token_is_not_in_debug_output_of_config_or_client() -> TestResult {
    let config =
        NtfyConfig::new("https://ntfy.sh/mytopic".parse()?).with_token(AccessToken::new(TOKEN)?);
    let client = NtfyClient::new(config.clone())?;

    for text in [
        format!("{config:?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
    ] {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
        assert!(!text.contains("tk_"), "token prefix leaked: {text}");
    }
    assert!(format!("{config:?}").contains("***"));
    Ok(())
}

#[tokio::test]
async fn a_server_that_echoes_the_token_does_not_get_it_into_the_error() -> TestResult {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_string(format!("bad header: Authorization: Bearer {TOKEN}")),
        )
        .mount(&server)
        .await;
    let client = client(
        &server,
        Setup {
            token: true,
            ..Setup::default()
        },
    )?;

    let err = client
        .publish(SEQUENCE_ID, &rich_notification())
        .await
        .err()
        .ok_or("a 401 was taken for a delivery")?;

    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
        assert!(text.contains("Bearer ***"), "{text}");
    }
    Ok(())
}

#[tokio::test]
async fn transport_errors_with_a_token_configured_do_not_mention_it() -> TestResult {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.local_addr()?.port()
    };
    let config = NtfyConfig::new(format!("http://127.0.0.1:{port}/mytopic").parse()?)
        .with_token(AccessToken::new(TOKEN)?);
    let err = NtfyClient::new(config)?
        .publish(SEQUENCE_ID, &rich_notification())
        .await
        .err()
        .ok_or("a closed port accepted the publish")?;

    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
    }
    Ok(())
}
