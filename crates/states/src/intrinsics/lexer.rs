//! Tokenizer for intrinsic function calls such as
//! `States.Format('Hello {}', $.name, States.UUID())`.

use serde_json::{Number, Value};

/// One token of an intrinsic expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    /// A function name such as `States.Format`.
    Name(String),
    LParen,
    RParen,
    Comma,
    /// A single-quoted string: `raw` is the text between the quotes with its
    /// escapes still in place (Format needs to see `\{`), `text` is unescaped.
    Str {
        raw: String,
        text: String,
    },
    /// A number, `true`, `false` or `null`.
    Literal(Value),
    /// A path: `$`, `$.a[0]`, `$$.Execution.Id` or a variable `$name.field`.
    Path(String),
}

/// Why an expression could not be tokenized or parsed.
pub(crate) type SyntaxError = String;

/// Split `text` into tokens.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, SyntaxError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                tokens.push(Token::LParen);
                i += 1;
            }
            ')' => {
                tokens.push(Token::RParen);
                i += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '\'' => {
                let (token, next) = string(&chars, i + 1)?;
                tokens.push(token);
                i = next;
            }
            '$' => {
                let (path, next) = path(&chars, i);
                tokens.push(Token::Path(path));
                i = next;
            }
            c if c == '-' || c.is_ascii_digit() => {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
                {
                    i += 1;
                }
                let word: String = chars.get(start..i).unwrap_or_default().iter().collect();
                let number: Number = word
                    .parse()
                    .map_err(|_| format!("invalid number '{word}'"))?;
                tokens.push(Token::Literal(Value::Number(number)));
            }
            c if c.is_alphabetic() => {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '.' || *c == '_')
                {
                    i += 1;
                }
                let word: String = chars.get(start..i).unwrap_or_default().iter().collect();
                tokens.push(match word.as_str() {
                    "true" => Token::Literal(Value::Bool(true)),
                    "false" => Token::Literal(Value::Bool(false)),
                    "null" => Token::Literal(Value::Null),
                    _ => Token::Name(word),
                });
            }
            other => return Err(format!("unexpected character '{other}' at position {i}")),
        }
    }
    Ok(tokens)
}

/// A quoted string starting after its opening quote; returns the token and
/// the index after the closing quote. `\'`, `\{`, `\}` and `\\` are escapes.
fn string(chars: &[char], start: usize) -> Result<(Token, usize), SyntaxError> {
    let mut raw = String::new();
    let mut text = String::new();
    let mut i = start;
    loop {
        match chars.get(i) {
            None => return Err("unterminated string literal".into()),
            Some('\'') => return Ok((Token::Str { raw, text }, i + 1)),
            Some('\\') => {
                let escaped = *chars
                    .get(i + 1)
                    .ok_or("unterminated escape in string literal")?;
                raw.push('\\');
                raw.push(escaped);
                text.push(escaped);
                i += 2;
            }
            Some(&c) => {
                raw.push(c);
                text.push(c);
                i += 1;
            }
        }
    }
}

/// A path runs until a top-level `,` or `)` or whitespace; brackets and
/// quotes inside brackets may hold those characters.
fn path(chars: &[char], start: usize) -> (String, usize) {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut i = start;
    while let Some(&c) = chars.get(i) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') if depth > 0 => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ']') => depth = depth.saturating_sub(1),
            (None, ')') if depth > 0 => depth -= 1,
            (None, ',' | ')') if depth == 0 => break,
            (None, c) if c.is_whitespace() && depth == 0 => break,
            _ => {}
        }
        i += 1;
    }
    (chars.get(start..i).unwrap_or_default().iter().collect(), i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokenizes_names_strings_numbers_and_paths() -> Result<(), SyntaxError> {
        let tokens = tokenize("States.Format('a {} \\' b', $.x[0], -1.5, true, $$.Execution.Id)")?;
        assert_eq!(tokens[0], Token::Name("States.Format".into()));
        assert_eq!(
            tokens[2],
            Token::Str {
                raw: "a {} \\' b".into(),
                text: "a {} ' b".into()
            }
        );
        assert_eq!(tokens[4], Token::Path("$.x[0]".into()));
        assert_eq!(tokens[6], Token::Literal(json!(-1.5)));
        assert_eq!(tokens[8], Token::Literal(json!(true)));
        assert_eq!(tokens[10], Token::Path("$$.Execution.Id".into()));
        Ok(())
    }

    #[test]
    fn paths_may_contain_commas_and_parens_inside_brackets() -> Result<(), SyntaxError> {
        let tokens = tokenize("States.Array($.a[?(@.b == 'x,y')], $v)")?;
        assert_eq!(tokens[2], Token::Path("$.a[?(@.b == 'x,y')]".into()));
        assert_eq!(tokens[4], Token::Path("$v".into()));
        Ok(())
    }

    #[test]
    fn unterminated_strings_are_errors() {
        assert!(tokenize("States.Format('abc)").is_err());
    }
}
