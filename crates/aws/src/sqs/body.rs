//! The message a queue record announces, read from its body.

use serde::Deserialize;

/// The part of a [`MessageEvent`](rez_core::ports::MessageEvent) body that
/// names the message.
#[derive(Deserialize)]
struct Named {
    message_id: String,
}

/// SNS's notification envelope (raw delivery off), as far as reading the
/// inner message needs.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(rename = "Message")]
    message: String,
}

/// The message id a record's body names: a `MessageEvent` JSON
/// (`{"message_id": …}`), bare or inside SNS's notification envelope;
/// `None` for any other body.
pub fn message_id_of(body: &str) -> Option<String> {
    if let Ok(named) = serde_json::from_str::<Named>(body) {
        return Some(named.message_id);
    }
    let envelope: Envelope = serde_json::from_str(body).ok()?;
    if envelope.kind != "Notification" {
        return None;
    }
    serde_json::from_str::<Named>(&envelope.message)
        .ok()
        .map(|named| named.message_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_comes_from_the_event_bare_or_in_an_sns_envelope() {
        let event = r#"{"message_id":"01abc","stage":"dev","message_type":"api"}"#;
        let envelope = serde_json::json!({
            "Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:1:t",
            "Message": event,
        })
        .to_string();
        let other_envelope =
            serde_json::json!({"Type": "SubscriptionConfirmation", "Message": event}).to_string();
        for (body, id) in [
            (event, Some("01abc")),
            (envelope.as_str(), Some("01abc")),
            (other_envelope.as_str(), None),
            ("not json", None),
            (r#"{"message_id":3}"#, None),
            ("{}", None),
        ] {
            assert_eq!(message_id_of(body).as_deref(), id, "{body}");
        }
    }
}
