//! What the command line accepts and refuses, and what it makes of it.

use super::*;
use clap::error::ErrorKind;

const KEY: &str = "the-api-key-0123456789";
const TOKEN: &str = "tk_the-ntfy-token";

fn parse(args: &[&str]) -> Result<Command, clap::Error> {
    Cli::try_parse_from(std::iter::once("rez-agent").chain(args.iter().copied()))
        .map(|cli| cli.command)
}

fn up(args: &[&str]) -> UpArgs {
    match parse(&[&["up"], args].concat()) {
        Ok(Command::Up(args)) => args,
        other => panic!("not up: {other:?}"),
    }
}

fn secret_file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn debug_of_the_arguments_never_shows_the_key_or_token() {
    let args = up(&["--api-key", KEY, "--ntfy-token", TOKEN]);
    let config = up(&["--api-key", KEY, "--ntfy-token", TOKEN])
        .into_config()
        .unwrap();
    let api_args = match parse(&["messages", "--api-key", KEY]).unwrap() {
        Command::Messages(args) => args.api,
        other => panic!("not messages: {other:?}"),
    };
    for debug in [
        format!("{args:?}"),
        format!("{config:?}"),
        format!("{api_args:?}"),
        format!("{:?}", parse(&["dlq", "list", "--api-key", KEY]).unwrap()),
    ] {
        assert!(!debug.contains(KEY), "{debug}");
        assert!(!debug.contains(TOKEN), "{debug}");
        assert!(debug.contains("***"), "{debug}");
    }
}

#[test]
fn the_key_and_token_can_come_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let key = secret_file(&dir, "key", &format!("{KEY}\n"));
    let token = secret_file(&dir, "token", &format!("  {TOKEN}  \n# comment\n"));
    let config = up(&["--api-key-file", &key, "--ntfy-token-file", &token])
        .into_config()
        .unwrap();
    assert_eq!(config.api_key.as_deref(), Some(KEY));
    assert_eq!(config.ntfy_token.as_deref(), Some(TOKEN));

    let Command::Send(send) = parse(&["send", "hi", "--api-key-file", &key]).unwrap() else {
        panic!("not send");
    };
    assert_eq!(
        send.api.api_key_file.as_ref().map(Secret::expose),
        Some(KEY)
    );
}

#[test]
fn a_key_file_that_cannot_be_used_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let empty = secret_file(&dir, "empty", "\n");
    let missing = dir.path().join("missing").display().to_string();
    for (flag, path, want) in [
        ("--api-key-file", &empty, "is empty"),
        ("--api-key-file", &missing, "cannot read"),
        ("--ntfy-token-file", &missing, "cannot read"),
    ] {
        let err = parse(&["up", flag, path]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ValueValidation, "{err}");
        let message = err.to_string();
        assert!(message.contains(flag), "{message}");
        assert!(message.contains(path.as_str()), "{message}");
        assert!(message.contains(want), "{message}");
    }
}

#[test]
fn a_secret_is_given_literally_or_in_a_file_not_both() {
    let dir = tempfile::tempdir().unwrap();
    let key = secret_file(&dir, "key", KEY);
    for args in [
        ["up", "--api-key", KEY, "--api-key-file", &key],
        ["up", "--ntfy-token", TOKEN, "--ntfy-token-file", &key],
        ["messages", "--api-key", KEY, "--api-key-file", &key],
    ] {
        let err = parse(&args).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ArgumentConflict, "{args:?}");
        assert!(!err.to_string().contains(KEY), "{err}");
    }
}

#[test]
fn a_bad_cors_origin_stops_up_with_one_line() {
    let err = format!(
        "{:#}",
        up(&["--cors-origin", "localhost:3000"])
            .into_config()
            .unwrap_err()
    );
    assert!(err.starts_with("--cors-origin 'localhost:3000'"), "{err}");
    assert!(!err.contains('\n'), "{err}");
    assert_eq!(err.matches("not a CORS origin").count(), 1, "{err}");
    let config = up(&["--api-key", KEY, "--cors-origin", "*"]).into_config();
    assert_eq!(config.unwrap().cors_origins, ["*"]);
}
