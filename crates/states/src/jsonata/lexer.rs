//! Tokenizer for the JSONata subset this engine evaluates.

/// One JSONata token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Number(f64),
    Str(String),
    /// A field name (`name` or `` `quoted name` ``).
    Name(String),
    /// `$name`, or `$` (context) when the name is empty, or `$$` (root).
    Var(String),
    /// `/pattern/flags`.
    Regex(String, String),
    /// Punctuation and operators: `. [ ] { } ( ) , : ; ? + - * / % & = != < <= > >= := ~> ..`.
    Op(&'static str),
    /// `and`, `or`, `in`, `true`, `false`, `null`, `function`.
    Keyword(&'static str),
}

const OPERATORS: &[&str] = &[
    ":=", "!=", "<=", ">=", "~>", "..", ".", "[", "]", "{", "}", "(", ")", ",", ":", ";", "?", "+",
    "-", "*", "/", "%", "&", "=", "<", ">",
];
const KEYWORDS: &[&str] = &["and", "or", "in", "true", "false", "null", "function"];

/// Split an expression into tokens.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens: Vec<Tok> = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            let end = (i + 2..chars.len())
                .find(|&j| chars.get(j) == Some(&'*') && chars.get(j + 1) == Some(&'/'));
            i = end.map_or(chars.len(), |e| e + 2);
            continue;
        }
        if c == '"' || c == '\'' {
            let (s, next) = string(&chars, i + 1, c)?;
            tokens.push(Tok::Str(s));
            i = next;
            continue;
        }
        if c == '`' {
            let end = (i + 1..chars.len())
                .find(|&j| chars.get(j) == Some(&'`'))
                .ok_or("unterminated `name`")?;
            tokens.push(Tok::Name(
                chars.get(i + 1..end).unwrap_or_default().iter().collect(),
            ));
            i = end + 1;
            continue;
        }
        if c == '/' && operand_expected(tokens.last()) {
            let (pattern, flags, next) = regex(&chars, i + 1)?;
            tokens.push(Tok::Regex(pattern, flags));
            i = next;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                i += 1;
                while chars.get(i).is_some_and(char::is_ascii_digit) {
                    i += 1;
                }
            }
            if chars.get(i).is_some_and(|c| *c == 'e' || *c == 'E') {
                i += 1;
                if chars.get(i).is_some_and(|c| *c == '+' || *c == '-') {
                    i += 1;
                }
                while chars.get(i).is_some_and(char::is_ascii_digit) {
                    i += 1;
                }
            }
            let word: String = chars.get(start..i).unwrap_or_default().iter().collect();
            tokens.push(Tok::Number(
                word.parse().map_err(|_| format!("invalid number {word}"))?,
            ));
            continue;
        }
        if c == '$' {
            let start = i + 1;
            i = start;
            if chars.get(i) == Some(&'$') {
                tokens.push(Tok::Var("$".into()));
                i += 1;
                continue;
            }
            while chars
                .get(i)
                .is_some_and(|c| c.is_alphanumeric() || *c == '_')
            {
                i += 1;
            }
            tokens.push(Tok::Var(
                chars.get(start..i).unwrap_or_default().iter().collect(),
            ));
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while chars
                .get(i)
                .is_some_and(|c| c.is_alphanumeric() || *c == '_')
            {
                i += 1;
            }
            let word: String = chars.get(start..i).unwrap_or_default().iter().collect();
            tokens.push(match KEYWORDS.iter().find(|k| **k == word) {
                Some(k) => Tok::Keyword(k),
                None => Tok::Name(word),
            });
            continue;
        }
        let rest: String = chars
            .get(i..(i + 2).min(chars.len()))
            .unwrap_or_default()
            .iter()
            .collect();
        match OPERATORS.iter().find(|op| rest.starts_with(**op)) {
            Some(op) => {
                tokens.push(Tok::Op(op));
                i += op.len();
            }
            None => return Err(format!("unexpected character '{c}'")),
        }
    }
    Ok(tokens)
}

/// A `/` starts a regex where an operand is expected (JSONata's rule).
fn operand_expected(previous: Option<&Tok>) -> bool {
    match previous {
        None => true,
        Some(Tok::Op(op)) => !matches!(*op, ")" | "]" | "}"),
        Some(Tok::Keyword(k)) => matches!(*k, "and" | "or" | "in"),
        _ => false,
    }
}

fn string(chars: &[char], start: usize, quote: char) -> Result<(String, usize), String> {
    let mut out = String::new();
    let mut i = start;
    loop {
        let c = *chars.get(i).ok_or("unterminated string")?;
        match c {
            c if c == quote => return Ok((out, i + 1)),
            '\\' => {
                let e = *chars.get(i + 1).ok_or("unterminated escape")?;
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'u' => {
                        let hex: String = chars
                            .get(i + 2..i + 6)
                            .ok_or("bad \\u escape")?
                            .iter()
                            .collect();
                        let code = u32::from_str_radix(&hex, 16).map_err(|_| "bad \\u escape")?;
                        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        i += 4;
                    }
                    other => out.push(other),
                }
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
}

fn regex(chars: &[char], start: usize) -> Result<(String, String, usize), String> {
    let mut pattern = String::new();
    let mut i = start;
    loop {
        let c = *chars.get(i).ok_or("unterminated regular expression")?;
        match c {
            '/' => break,
            '\\' => {
                pattern.push('\\');
                pattern.push(*chars.get(i + 1).ok_or("unterminated regular expression")?);
                i += 2;
            }
            c => {
                pattern.push(c);
                i += 1;
            }
        }
    }
    i += 1;
    let mut flags = String::new();
    while let Some(&c) = chars.get(i).filter(|c| matches!(c, 'i' | 'm')) {
        flags.push(c);
        i += 1;
    }
    Ok((pattern, flags, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_paths_operators_strings_and_regexes() -> Result<(), String> {
        let tokens = tokenize("$states.input.a >= 2 and $contains('x$y', /^x\\$/i)")?;
        assert_eq!(tokens[0], Tok::Var("states".into()));
        assert_eq!(tokens[1], Tok::Op("."));
        assert_eq!(tokens[5], Tok::Op(">="));
        assert_eq!(tokens[6], Tok::Number(2.0));
        assert_eq!(tokens[7], Tok::Keyword("and"));
        assert_eq!(tokens[10], Tok::Str("x$y".into()));
        assert_eq!(tokens[12], Tok::Regex("^x\\$".into(), "i".into()));
        Ok(())
    }

    #[test]
    fn division_after_an_operand_is_not_a_regex() -> Result<(), String> {
        assert_eq!(
            tokenize("4 / 2")?,
            vec![Tok::Number(4.0), Tok::Op("/"), Tok::Number(2.0)]
        );
        Ok(())
    }
}
