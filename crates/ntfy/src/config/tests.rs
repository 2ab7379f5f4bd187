use super::*;

fn parse(text: &str) -> Result<TopicUrl, ConfigError> {
    text.parse()
}

#[test]
fn topic_urls_split_into_server_root_and_topic() -> Result<(), ConfigError> {
    let cases = [
        (
            "https://ntfy.sh/rzesz-alerts",
            "https://ntfy.sh/",
            "rzesz-alerts",
        ),
        (
            "https://ntfy.sh/rzesz-alerts/",
            "https://ntfy.sh/",
            "rzesz-alerts",
        ),
        (
            "http://127.0.0.1:8080/mytopic",
            "http://127.0.0.1:8080/",
            "mytopic",
        ),
        (
            "https://example.com/ntfy/alerts_01",
            "https://example.com/ntfy/",
            "alerts_01",
        ),
        (
            "https://example.com:8443/a/b/T-1",
            "https://example.com:8443/a/b/",
            "T-1",
        ),
    ];
    for (input, root, topic) in cases {
        let parsed = parse(input)?;
        assert_eq!(parsed.server_root().as_str(), root, "{input}");
        assert_eq!(parsed.topic(), topic, "{input}");
    }
    Ok(())
}

#[test]
fn a_topic_url_displays_as_root_plus_topic() -> Result<(), ConfigError> {
    let parsed = parse("https://example.com/ntfy/alerts/")?;
    assert_eq!(parsed.to_string(), "https://example.com/ntfy/alerts");
    Ok(())
}

#[test]
fn bad_topic_urls_are_refused_with_an_error_that_names_the_problem() {
    let long = format!("https://ntfy.sh/{}", "a".repeat(65));
    let cases: Vec<(&str, &str)> = vec![
        (
            "ftp://ntfy.sh/mytopic",
            "unsupported topic URL scheme 'ftp'",
        ),
        ("file:///tmp/mytopic", "unsupported topic URL scheme 'file'"),
        ("ntfy.sh/mytopic", "it has no scheme"),
        ("https://ntfy.sh", "names no topic"),
        ("https://ntfy.sh/", "names no topic"),
        (
            "https://ntfy.sh/my topic",
            "invalid ntfy topic 'my%20topic'",
        ),
        ("https://ntfy.sh/caf%C3%A9", "invalid ntfy topic"),
        ("https://ntfy.sh/a.b", "invalid ntfy topic 'a.b'"),
        (&long, "longer than 64 characters"),
        ("https://ntfy.sh/docs", "reserves this name"),
        (
            "https://ntfy.sh/mytopic?x=1",
            "must not have a query or fragment",
        ),
        (
            "https://ntfy.sh/mytopic#x",
            "must not have a query or fragment",
        ),
        (
            "https://user:pw@ntfy.sh/mytopic",
            "must not contain a user name",
        ),
    ];
    for (input, expected) in cases {
        match parse(input) {
            Ok(parsed) => panic!("{input} was accepted as {parsed}"),
            Err(err) => assert!(
                err.to_string().contains(expected),
                "{input}: '{err}' does not contain '{expected}'"
            ),
        }
    }
}

#[test]
fn credentials_in_the_url_are_not_repeated_in_the_error() {
    let err = parse("https://user:hunter2@ntfy.sh/mytopic")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn ntfy_names_allow_exactly_its_pattern() {
    assert!(is_ntfy_name("0192f0c4-7a1b-7c3d-8e9f-0123456789ab"));
    assert!(is_ntfy_name(&"x".repeat(64)));
    assert!(!is_ntfy_name(&"x".repeat(65)));
    assert!(!is_ntfy_name(""));
    assert!(!is_ntfy_name("a/b"));
}

#[test]
fn config_defaults_to_ten_seconds_and_no_token() -> Result<(), url::ParseError> {
    let config = NtfyConfig::new(Url::parse("https://ntfy.sh/x")?);
    assert_eq!(config.timeout, DEFAULT_TIMEOUT);
    assert!(config.token.is_none());
    Ok(())
}
