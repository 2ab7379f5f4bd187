//! `States.Format`: fill `{}` placeholders of a template with the arguments.

use serde_json::{Value, json};

use crate::intrinsics::registry::{Arg, ArgType, Signature};

/// `States.Format`'s declared signature.
pub(crate) const SIGNATURE: Signature = Signature {
    name: "States.Format",
    params: &[ArgType::String],
    optional: 0,
    rest: Some(ArgType::Any),
};

/// Run `States.Format`. In a literal template `\{`, `\}`, `\'` and `\\` are
/// literal characters; a template read from a path has no escapes.
pub(crate) fn call(args: &[Arg]) -> Result<Value, String> {
    let Some((template, values)) = args.split_first() else {
        return Err("missing template".into());
    };
    let (source, escapes) = match (&template.raw, template.value.as_str()) {
        (Some(raw), _) => (raw.as_str(), true),
        (None, Some(text)) => (text, false),
        (None, None) => return Err("the template must be a string".into()),
    };
    let mut out = String::new();
    let mut values = values.iter();
    let mut chars = source.chars().peekable();
    let mut used = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' if escapes => out.push(chars.next().unwrap_or('\\')),
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                let value = values
                    .next()
                    .ok_or("the template has more placeholders than arguments")?;
                out.push_str(&display(&value.value));
                used += 1;
            }
            c => out.push(c),
        }
    }
    if values.next().is_some() {
        return Err(format!(
            "the template has {used} placeholders but more arguments were given"
        ));
    }
    Ok(json!(out))
}

/// How AWS renders a value inside a formatted string: strings as-is,
/// objects as `{key=value, ...}`, arrays as `[a, b]`.
fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(display).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => {
            format!(
                "{{{}}}",
                map.iter()
                    .map(|(k, v)| format!("{k}={}", display(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(raw: &str) -> Arg {
        Arg {
            value: json!(raw.replace('\\', "")),
            raw: Some(raw.to_string()),
        }
    }

    fn value(v: Value) -> Arg {
        Arg {
            value: v,
            raw: None,
        }
    }

    #[test]
    fn fills_placeholders_in_order_with_aws_rendering() {
        let out = call(&[
            literal("a={} b={} c={}"),
            value(json!("x")),
            value(json!(null)),
            value(json!({"k": 1, "l": []})),
        ]);
        assert_eq!(out, Ok(json!("a=x b=null c={k=1, l=[]}")));
    }

    #[test]
    fn escaped_braces_are_literal() {
        assert_eq!(
            call(&[literal("\\{\\} {}"), value(json!(1))]),
            Ok(json!("{} 1"))
        );
    }

    #[test]
    fn placeholder_count_must_match_arguments() {
        assert!(call(&[literal("{} {}"), value(json!(1))]).is_err());
        assert!(call(&[literal("{}"), value(json!(1)), value(json!(2))]).is_err());
    }
}
